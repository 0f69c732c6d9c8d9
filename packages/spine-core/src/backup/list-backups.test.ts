import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureLedger, insertLedgerRow } from '../migrations/ledger.js';
import { openSpineDb } from '../spine-db.js';
import { fixtureDatabase } from '../test-support/backup-fixtures.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { backupDatabase } from './backup-database.js';
import { findBackupFiles, listBackups } from './list-backups.js';

const applyMigrations = (path: string, ids: string[]) => fixtureDatabase(path, { migrations: ids });

describe('listBackups', () => {
  it('lists backups newest first with size and ledger, filters by database, and marks unreadable files', async () => {
    const dir = tempDir('spine-backups-');
    const backups = join(dir, 'backups');
    const state = join(dir, 'state.db');
    const other = join(dir, 'other.db');
    await applyMigrations(state, ['x/basic/0001_one']);
    const a = await backupDatabase(state, { directory: backups, label: 'a', now: new Date('2025-02-01T00:00:00.000Z') });
    await applyMigrations(state, ['x/basic/0002_two']);
    const c = await backupDatabase(state, { directory: backups, label: 'c', now: new Date('2025-02-03T00:00:00.000Z') });
    const b = await backupDatabase(state, { directory: backups, label: 'b', now: new Date('2025-02-02T00:00:00.000Z') });
    await applyMigrations(other, []);
    const o = await backupDatabase(other, { directory: backups, label: 'a', now: new Date('2025-02-04T00:00:00.000Z') });
    writeFileSync(join(backups, 'state_junk_20250101T000000000Z.db'), 'not a database');
    writeFileSync(join(backups, 'state_x_20250301T000000000Z.db.partial'), '');
    writeFileSync(join(backups, 'README'), '');
    mkdirSync(join(backups, 'state_dir_20250301T000000000Z.db'));

    const all = await listBackups(backups);
    expect(all.map((entry) => entry.path)).toEqual([o.path, c.path, b.path, a.path, join(backups, 'state_junk_20250101T000000000Z.db')]);
    expect(all[1]).toEqual({
      path: c.path,
      databaseName: 'state',
      label: 'c',
      createdAt: '2025-02-03T00:00:00.000Z',
      bytes: c.bytes,
      pageCount: c.pageCount,
      ledger: { migrations: 2, head: 'x/basic/0002_two' },
    });
    expect(all[3]?.ledger).toEqual({ migrations: 1, head: 'x/basic/0001_one' });
    expect(all[0]?.ledger).toEqual({ migrations: 0, head: null });
    expect(all[4]).toEqual({
      path: join(backups, 'state_junk_20250101T000000000Z.db'),
      databaseName: 'state',
      label: 'junk',
      createdAt: '2025-01-01T00:00:00.000Z',
      bytes: statSync(join(backups, 'state_junk_20250101T000000000Z.db')).size,
      pageCount: null,
      ledger: null,
      error: expect.stringContaining('not a SQLite database'),
    });

    const ofState = await listBackups(backups, '/somewhere/else/state.db');
    expect(ofState.map((entry) => entry.label)).toEqual(['c', 'b', 'a', 'junk']);
    expect(findBackupFiles(backups, other).map((file) => file.path)).toEqual([o.path]);
    // Reading the backups left nothing beside them.
    expect(readdirSync(backups).filter((name) => /-(wal|shm|journal)$/.test(name))).toEqual([]);
  });

  it('lists a file with a SQLite header but a damaged body with its error', async () => {
    const dir = tempDir('spine-backups-');
    writeFileSync(join(dir, 'state_bad_20250101T000000000Z.db'), Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200, 0xff)]));
    const [entry] = await listBackups(dir);
    expect(entry).toMatchObject({ label: 'bad', pageCount: null, ledger: null, error: expect.any(String) });
    expect(readdirSync(dir)).toEqual(['state_bad_20250101T000000000Z.db']);
  });

  it('has no backups in a missing directory', async () => {
    expect(await listBackups(join(tempDir('spine-backups-'), 'missing'))).toEqual([]);
  });
});
