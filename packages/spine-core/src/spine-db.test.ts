import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpineDb } from './spine-db.js';
import { closeTestDatabases, testDialects } from './testing.js';
import type { SqlValue } from './dialect/types.js';

describe('openSpineDb (SQLite)', () => {
  it('sets WAL, foreign keys and a busy timeout on a file database', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spine-db-')), 'nested', 'x.db');
    const db = await openSpineDb(path);
    const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(db.kysely)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(db.capabilities).toMatchObject({ transactionalDdl: true, distinctOn: false, fileDatabase: true });
    await db.close();
  });

  it('explains what is wrong with a path that is not a database, and with a URL', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spine-db-')), 'not-a-db.db');
    writeFileSync(file, 'this is not a SQLite file, just text that is long enough to have a header');
    await expect(openSpineDb(file)).rejects.toMatchObject({ code: 'DB_OPEN_FAILED', message: expect.stringContaining('file is not a database') });
    await expect(openSpineDb({ target: join(tmpdir(), 'missing-dir-xyz', 'x.db'), readonly: true })).rejects.toMatchObject({ code: 'DB_OPEN_FAILED' });
    await expect(openSpineDb('mysql://u@h/db')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(openSpineDb('postgres://u@127.0.0.1:1/db')).rejects.toMatchObject({ code: 'DB_OPEN_FAILED', message: expect.stringContaining('postgres://u@127.0.0.1:1/db') });
    await expect(openSpineDb('postgres://u:secret@127.0.0.1:1/db')).rejects.toSatisfy((error: Error) => !error.message.includes('secret'));
  });
});

afterEach(closeTestDatabases);

for (const dialect of testDialects()) {
  describe(`SpineDb on ${dialect.name} (${dialect.backend})`, () => {
    it('rolls a failed transaction back completely', async () => {
      const db = await dialect.open();
      await db.executor().exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER CHECK (v >= 0))');
      await expect(
        db.transaction(async (tx) => {
          await tx.insertRows('t', ['id', 'v'], [[1, 1], [2, 2]]);
          await tx.insertRows('t', ['id', 'v'], [[3, -1]]);
        }),
      ).rejects.toThrow(/CHECK constraint failed|violates check constraint/);
      expect((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db.kysely)).rows[0]?.n).toBe(0);
    });

    it('refuses identifiers that are not plain names before they reach SQL', async () => {
      const db = await dialect.open();
      await expect(db.executor().insertRows('t; DROP TABLE x', ['id'], [[1]])).rejects.toMatchObject({ code: 'INVALID_IDENTIFIER' });
      await expect(db.executor().insertRows('t', ['id"--'], [[1]])).rejects.toMatchObject({ code: 'INVALID_IDENTIFIER' });
    });

    it('bulk-inserts awkward values exactly and reads them back as SQLite would return them', async () => {
      const db = await dialect.open();
      await db.executor().exec(
        `CREATE TABLE v (id INTEGER PRIMARY KEY, txt TEXT, n BIGINT, r DOUBLE PRECISION, flag BOOLEAN, at ${db.capabilities.fileDatabase ? 'TEXT' : 'TIMESTAMPTZ'})`,
      );
      const texts = ['', 'a,b', 'say "hi"', 'two\nlines', 'tab\there', '\\N', 'ünïcødé ✓', ' padded '];
      const rows: SqlValue[][] = texts.map((t, i) => [i + 1, t, 2 ** 53 - 1 - i, i / 3, i % 2 === 0, '2025-11-14T12:34:56.789Z']);
      rows.push([100, null, null, null, null, null]);
      await db.transaction((tx) => tx.insertRows('v', ['id', 'txt', 'n', 'r', 'flag', 'at'], rows));
      const back = await db.kysely.selectFrom('v').selectAll().orderBy('id').execute();
      expect(back).toEqual(rows.map(([id, txt, n, r, flag, at]) => ({ id, txt, n, r, flag: flag === null ? null : flag ? 1 : 0, at })));
    });
  });
}
