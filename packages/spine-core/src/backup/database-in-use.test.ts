import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/migration-fixtures.js';
import { assertDatabaseNotInUse } from './database-in-use.js';

/** A WAL-mode database, as `openSpineDb` makes them. */
function createDatabase(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  db.close();
}

describe('assertDatabaseNotInUse', () => {
  it('passes for a database nobody has open', () => {
    const path = join(tempDir('spine-in-use-'), 'state.db');
    createDatabase(path);
    expect(() => assertDatabaseNotInUse(path)).not.toThrow();
    // The check released its locks: a writer gets in at once.
    const db = new Database(path);
    db.pragma('busy_timeout = 0');
    db.exec("INSERT INTO t (v) VALUES ('x')");
    db.close();
  });

  it('refuses while another connection holds a write transaction', () => {
    const path = join(tempDir('spine-in-use-'), 'state.db');
    createDatabase(path);
    const writer = new Database(path);
    writer.exec("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('x')");
    expect(() => assertDatabaseNotInUse(path)).toThrow(
      expect.objectContaining({ code: 'DB_IN_USE', message: `Database ${path} is in use by another process; stop it first.` }),
    );
    writer.exec('COMMIT');
    writer.close();
  });

  it('refuses while another connection merely has a WAL database open', () => {
    const path = join(tempDir('spine-in-use-'), 'state.db');
    createDatabase(path);
    const idle = new Database(path);
    idle.prepare('SELECT count(*) FROM t').get();
    expect(() => assertDatabaseNotInUse(path)).toThrow(expect.objectContaining({ code: 'DB_IN_USE' }));
    idle.close();
    expect(() => assertDatabaseNotInUse(path)).not.toThrow();
  });

  it('passes a file SQLite cannot read, which has no locks to take, and leaves its companions alone', () => {
    const path = join(tempDir('spine-in-use-'), 'state.db');
    writeFileSync(path, 'garbage '.repeat(1000));
    writeFileSync(`${path}-wal`, 'stale wal');
    expect(() => assertDatabaseNotInUse(path)).not.toThrow();
    expect(readFileSync(`${path}-wal`, 'utf8')).toBe('stale wal');

    const damaged = join(tempDir('spine-in-use-'), 'damaged.db');
    writeFileSync(damaged, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4000, 0xff)]));
    expect(() => assertDatabaseNotInUse(damaged)).not.toThrow();
  });
});
