import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/migration-fixtures.js';
import { backupFileName } from './backup-name.js';
import { pruneBackups } from './prune-backups.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const DAY = 86_400_000;

/** Backup files of `database` taken `ages` days before NOW (pruning reads names only, so the content is a stand-in). */
function makeBackups(dir: string, database: string, ages: number[]): string[] {
  return ages.map((age) => {
    const path = join(dir, backupFileName(database, 'nightly', new Date(NOW.getTime() - age * DAY)));
    writeFileSync(path, 'stand-in');
    return path;
  });
}

describe('pruneBackups', () => {
  it('keeps the maxBackups newest', async () => {
    const dir = tempDir('spine-prune-');
    const paths = makeBackups(dir, 'state.db', [0.5, 1, 2, 3, 4]);
    const deleted = await pruneBackups(dir, 'data/state.db', { retentionDays: 30, maxBackups: 3 }, NOW);
    expect(deleted).toEqual([paths[3], paths[4]]);
    expect(paths.map((p) => existsSync(p))).toEqual([true, true, true, false, false]);
  });

  it('deletes backups older than retentionDays, keeping one exactly that old', async () => {
    const dir = tempDir('spine-prune-');
    const paths = makeBackups(dir, 'state.db', [1, 10, 30, 30.001, 45]);
    const deleted = await pruneBackups(dir, 'state.db', { retentionDays: 30, maxBackups: 10 }, NOW);
    expect(deleted).toEqual([paths[3], paths[4]]);
  });

  it('never deletes the newest backup, however old', async () => {
    const dir = tempDir('spine-prune-');
    const paths = makeBackups(dir, 'state.db', [100, 200, 300]);
    expect(await pruneBackups(dir, 'state.db', { retentionDays: 30, maxBackups: 1 }, NOW)).toEqual([paths[1], paths[2]]);
    expect(readdirSync(dir)).toEqual([paths[0]!.slice(dir.length + 1)]);
  });

  it("prunes only the given database's backups and leaves other files alone", async () => {
    const dir = tempDir('spine-prune-');
    const state = makeBackups(dir, 'state.db', [1, 50]);
    const other = makeBackups(dir, 'other.db', [1, 50, 60]);
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(await pruneBackups(dir, 'state.db', { retentionDays: 30, maxBackups: 10 }, NOW)).toEqual([state[1]]);
    expect(other.every((p) => existsSync(p))).toBe(true);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(await pruneBackups(join(dir, 'missing'), 'state.db', { retentionDays: 30, maxBackups: 10 }, NOW)).toEqual([]);
  });

  it('refuses a policy that makes no sense', async () => {
    const dir = tempDir('spine-prune-');
    for (const policy of [
      { retentionDays: -1, maxBackups: 10 },
      { retentionDays: Number.NaN, maxBackups: 10 },
      { retentionDays: 30, maxBackups: 0 },
      { retentionDays: 30, maxBackups: 2.5 },
    ]) {
      await expect(pruneBackups(dir, 'state.db', policy, NOW), JSON.stringify(policy)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});
