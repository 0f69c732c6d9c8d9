import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ensureLedger, insertLedgerRow } from '../migrations/ledger.js';
import { openSpineDb } from '../spine-db.js';
import { fixtureDatabase, tableValues } from '../test-support/backup-fixtures.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { backupDatabase } from './backup-database.js';

const AT = new Date('2025-01-02T03:04:05.678Z');

const createDatabase = (path: string, values: string[], migrations: string[] = []) => fixtureDatabase(path, { values, migrations });
const values = tableValues;

describe('backupDatabase', () => {
  it('copies committed data still in the WAL while another connection holds the database, not uncommitted data', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'state.db');
    await createDatabase(source, ['a'], ['x/basic/0001_one', 'x/basic/0002_two']);
    const writer = new Database(source);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO t (v) VALUES ('b')").run();
    writer.exec("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('c')");
    expect(statSync(`${source}-wal`).size).toBeGreaterThan(0);

    const first = await backupDatabase(source, { directory: join(dir, 'backups', 'nested'), label: 'Pre V2!', now: AT });
    expect(values(first.path)).toEqual(['a', 'b']);
    writer.exec('COMMIT');
    const second = await backupDatabase(source, { directory: join(dir, 'backups', 'nested'), label: 'after', now: new Date(AT.getTime() + 1) });
    expect(values(second.path)).toEqual(['a', 'b', 'c']);

    writer.prepare("INSERT INTO t (v) VALUES ('d')").run();
    writer.close();
    expect(values(source)).toEqual(['a', 'b', 'c', 'd']);

    expect(first).toEqual({
      path: join(dir, 'backups', 'nested', 'state_pre-v2_20250102T030405678Z.db'),
      database: source,
      label: 'pre-v2',
      createdAt: '2025-01-02T03:04:05.678Z',
      bytes: statSync(first.path).size,
      pageCount: first.bytes / 4096,
      integrity: 'ok',
      ledger: { migrations: 2, head: 'x/basic/0002_two' },
    });
    expect(first.pageCount).toBeGreaterThan(1);
    // One self-contained file: rollback-journal mode (header bytes 18–19 = 1), no companions, no partial copy.
    expect([...readFileSync(first.path).subarray(18, 20)]).toEqual([1, 1]);
    expect(readdirSync(join(dir, 'backups', 'nested')).sort()).toEqual([
      'state_after_20250102T030405679Z.db',
      'state_pre-v2_20250102T030405678Z.db',
    ]);
  });

  it('refuses a source with a damaged page and leaves no file behind', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'state.db');
    await createDatabase(source, Array.from({ length: 400 }, (_, i) => `row ${i} ${'x'.repeat(300)}`));
    const pages = statSync(source).size / 4096;
    expect(pages).toBeGreaterThan(20);
    const fd = openSync(source, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);

    const error = await backupDatabase(source, { directory: join(dir, 'backups'), label: 'pre', now: AT }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringMatching(/^Backup of .*state\.db failed: /) });
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
  });

  it('refuses a source that fails PRAGMA integrity_check, naming the problems, and leaves no file behind', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'state.db');
    await createDatabase(source, ['a', 'b', 'c']);
    const db = new Database(source);
    // An index that no longer matches its table: every read works, only integrity_check notices.
    db.exec("ALTER TABLE t ADD COLUMN w TEXT; UPDATE t SET w = 'z' || v; CREATE INDEX t_v ON t (v)");
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = 'CREATE INDEX t_v ON t (w)' WHERE name = 't_v'").run();
    db.close();

    const error = await backupDatabase(source, { directory: join(dir, 'backups'), label: 'pre', now: AT }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringContaining('the copy failed PRAGMA integrity_check (row 1 missing from index t_v; row 2 missing from index t_v; row 3 missing from index t_v)'),
      details: { problems: ['row 1 missing from index t_v', 'row 2 missing from index t_v', 'row 3 missing from index t_v'] },
    });
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
  });

  it('refuses a truncated source and leaves no file behind', async () => {
    const dir = tempDir('spine-backup-');
    const intact = join(dir, 'intact.db');
    await createDatabase(intact, Array.from({ length: 400 }, (_, i) => `row ${i} ${'x'.repeat(300)}`));
    const source = join(dir, 'state.db');
    copyFileSync(intact, source);
    truncateSync(source, Math.floor(statSync(source).size / 2));

    await expect(backupDatabase(source, { directory: join(dir, 'backups'), label: 'pre', now: AT })).rejects.toMatchObject({ code: 'BACKUP_FAILED' });
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
  });

  it('refuses a missing source, a file that is not a database, a taken name and a label without letters', async () => {
    const dir = tempDir('spine-backup-');
    const backups = join(dir, 'backups');
    await expect(backupDatabase(join(dir, 'missing.db'), { directory: backups, label: 'x' })).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringContaining('does not exist'),
    });
    writeFileSync(join(dir, 'text.db'), 'not a database at all, just some text');
    await expect(backupDatabase(join(dir, 'text.db'), { directory: backups, label: 'x' })).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringContaining('not a SQLite database'),
    });

    const source = join(dir, 'state.db');
    await createDatabase(source, ['a']);
    await backupDatabase(source, { directory: backups, label: 'x', now: AT });
    await expect(backupDatabase(source, { directory: backups, label: 'x', now: AT })).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringContaining('already exists'),
    });
    await expect(backupDatabase(source, { directory: backups, label: '!!', now: AT })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(backupDatabase(source, { directory: backups, label: 'y', pagesPerStep: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(readdirSync(backups)).toEqual(['state_x_20250102T030405678Z.db']);
  });

  it('reports progress in pages, growing up to the total, for a database of several MB', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'big.db');
    await createDatabase(source, []);
    const db = new Database(source);
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) INSERT INTO t (v) SELECT hex(randomblob(2000)) FROM n");
    db.close();

    const calls: [number, number][] = [];
    const info = await backupDatabase(source, { directory: join(dir, 'backups'), label: 'big', pagesPerStep: 64, onProgress: (done, total) => calls.push([done, total]) });
    expect(info.bytes).toBeGreaterThan(5_000_000);
    expect(calls.length).toBeGreaterThan(info.pageCount / 64);
    for (let i = 1; i < calls.length; i += 1) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    expect(calls.every(([, total]) => total === info.pageCount)).toBe(true);
    expect(calls.at(-1)).toEqual([info.pageCount, info.pageCount]);
  });

  it('finishes while another connection writes between every step, and includes those writes', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'busy.db');
    await createDatabase(source, []);
    const writer = new Database(source);
    writer.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO t (v) SELECT hex(randomblob(1000)) FROM n");
    const insert = writer.prepare('INSERT INTO t (v) VALUES (?)');

    const calls: number[] = [];
    let writes = 0;
    const info = await backupDatabase(source, {
      directory: join(dir, 'backups'),
      label: 'busy',
      pagesPerStep: 8,
      onProgress: (done) => {
        calls.push(done);
        writes += 1;
        insert.run(`write ${writes}`);
      },
    });
    writer.close();
    expect(writes).toBeGreaterThan(0);
    for (let i = 1; i < calls.length; i += 1) expect(calls[i]!).toBeGreaterThan(calls[i - 1]!);
    const copied = values(info.path);
    // The last progress call comes after the copy, so its write is the only one the backup may miss.
    expect(copied.slice(-1)[0]).toMatch(/^write \d+$/);
    expect(copied.filter((v) => v.startsWith('write ')).length).toBe(writes - 1);
  });

  it('does not touch the source: the database file is byte-identical afterwards and gains no companions', async () => {
    const dir = tempDir('spine-backup-');
    const source = join(dir, 'state.db');
    await createDatabase(source, ['a', 'b']);
    const before = readFileSync(source);
    await backupDatabase(source, { directory: join(dir, 'backups'), label: 'x' });
    expect(readFileSync(source).equals(before)).toBe(true);
    expect(existsSync(`${source}-wal`) || existsSync(`${source}-shm`)).toBe(false);
  });
});
