import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ensureLedger, insertLedgerRow } from '../migrations/ledger.js';
import { openSpineDb } from '../spine-db.js';
import { fixtureDatabase, tableValues } from '../test-support/backup-fixtures.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { backupDatabase } from './backup-database.js';
import { restoreBackup } from './restore-backup.js';

const NOW = new Date('2025-03-04T05:06:07.089Z');
const STAMP = '20250304T050607089Z';

const write = (path: string, values: string[], migrations: string[]) => fixtureDatabase(path, { values, migrations });
const values = tableValues;

/** A database at `dir/state.db` with a backup (rows v1, migration 0001) and later changes (row v2, migration 0002). */
async function migratedDatabase(dir: string): Promise<{ target: string; backup: string }> {
  const target = join(dir, 'state.db');
  await write(target, ['v1'], ['x/basic/0001_one']);
  const { path } = await backupDatabase(target, { directory: join(dir, 'backups'), label: 'pre-v2', now: new Date('2025-03-01T00:00:00.000Z') });
  await write(target, ['v2'], ['x/basic/0002_two']);
  return { target, backup: path };
}

/** Every file of `dir` (not below it) with its bytes. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => [e.name, readFileSync(join(dir, e.name)).toString('base64')]));
}

describe('restoreBackup', () => {
  it('moves the current database aside with the timestamp and puts the backup in its place', async () => {
    const dir = tempDir('spine-restore-');
    const { target, backup } = await migratedDatabase(dir);
    // A crashed writer: the last row is committed only in the WAL, beside a -shm.
    const live = join(dir, 'live.db');
    copyFileSync(target, live);
    const writer = new Database(live);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO t (v) VALUES ('v3')").run();
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${live}${suffix}`, `${target}${suffix}`);
    writer.close();
    expect(statSync(`${target}-wal`).size).toBeGreaterThan(0);

    const result = await restoreBackup(target, backup, { now: NOW });

    expect(result).toEqual({
      restoredFrom: backup,
      movedAside: `${target}.failed_${STAMP}`,
      movedFiles: expect.arrayContaining([`${target}.failed_${STAMP}`]),
      ledger: { migrations: 1, head: 'x/basic/0001_one' },
    });
    expect(values(target)).toEqual(['v1']);
    expect(readFileSync(target).equals(readFileSync(backup))).toBe(true);
    // Nothing of the replaced database is left to be replayed onto the restored one.
    expect(readdirSync(dir).filter((name) => name.startsWith('state.db')).sort()).toEqual(
      ['state.db', ...result.movedFiles.map((path) => path.slice(dir.length + 1))].sort(),
    );
    // The replaced database kept everything it had committed, the WAL's row included.
    expect(values(`${target}.failed_${STAMP}`)).toEqual(['v1', 'v2', 'v3']);
  });

  it('moves a damaged database aside together with its -wal and -shm', async () => {
    const dir = tempDir('spine-restore-');
    const { target, backup } = await migratedDatabase(dir);
    writeFileSync(target, 'damaged '.repeat(2000));
    writeFileSync(`${target}-wal`, 'stale wal');
    writeFileSync(`${target}-shm`, 'stale shm');

    const result = await restoreBackup(target, backup, { now: NOW });

    const aside = `${target}.failed_${STAMP}`;
    expect(result.movedAside).toBe(aside);
    expect(result.movedFiles).toEqual([aside, `${aside}-wal`, `${aside}-shm`]);
    expect(readFileSync(aside, 'utf8')).toBe('damaged '.repeat(2000));
    expect(readFileSync(`${aside}-wal`, 'utf8')).toBe('stale wal');
    expect(readFileSync(`${aside}-shm`, 'utf8')).toBe('stale shm');
    expect(existsSync(`${target}-wal`) || existsSync(`${target}-shm`)).toBe(false);
    expect(values(target)).toEqual(['v1']);
  });

  it('restores into a missing target without moving anything aside', async () => {
    const dir = tempDir('spine-restore-');
    const { backup } = await migratedDatabase(dir);
    const target = join(dir, 'fresh', 'copy.db');
    const result = await restoreBackup(target, backup, { now: NOW });
    expect(result).toEqual({ restoredFrom: backup, movedAside: null, movedFiles: [], ledger: { migrations: 1, head: 'x/basic/0001_one' } });
    expect(values(target)).toEqual(['v1']);
    expect(readdirSync(join(dir, 'fresh'))).toEqual(['copy.db']);
  });

  it('refuses while another connection writes to the target, changing nothing', async () => {
    const dir = tempDir('spine-restore-');
    const { target, backup } = await migratedDatabase(dir);
    const writer = new Database(target);
    writer.pragma('journal_mode = WAL');
    writer.exec("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('pending')");
    const before = snapshot(dir);

    await expect(restoreBackup(target, backup, { now: NOW })).rejects.toMatchObject({
      code: 'DB_IN_USE',
      message: expect.stringContaining('is in use by another process; stop it first'),
    });

    expect(snapshot(dir)).toEqual(before);
    writer.exec('COMMIT');
    writer.close();
    expect(values(target)).toEqual(['v1', 'v2', 'pending']);
  });

  it('refuses a backup that is missing, not a database or damaged, leaving the target untouched', async () => {
    const dir = tempDir('spine-restore-');
    const { target, backup } = await migratedDatabase(dir);
    const text = join(dir, 'backups', 'state_text_20250101T000000000Z.db');
    writeFileSync(text, 'this is not a database');
    const damaged = join(dir, 'backups', 'state_damaged_20250101T000000000Z.db');
    copyFileSync(backup, damaged);
    const db = new Database(damaged);
    db.exec('CREATE INDEX t_v ON t (v)');
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    // The index now claims to cover another expression than the one its entries hold.
    db.prepare("UPDATE sqlite_schema SET sql = 'CREATE INDEX t_v ON t (v || ''!'')' WHERE name = 't_v'").run();
    db.close();
    const before = snapshot(dir);

    await expect(restoreBackup(target, join(dir, 'backups', 'missing.db'), { now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
      message: expect.stringMatching(/missing\.db cannot be restored: the file does not exist/),
    });
    await expect(restoreBackup(target, text, { now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
      message: expect.stringContaining(`Backup ${text} cannot be restored: it is not a SQLite database`),
    });
    await expect(restoreBackup(target, damaged, { now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
      message: expect.stringContaining(`Backup ${damaged} cannot be restored: PRAGMA integrity_check failed (`),
    });
    await expect(restoreBackup(target, target, { now: NOW })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    expect(snapshot(dir)).toEqual(before);
    expect(values(target)).toEqual(['v1', 'v2']);
  });
});
