import { ErrorCode, SpineError, errorMessage } from '../errors.js';
import { findBackupFiles } from './list-backups.js';
import { removeDatabaseFiles } from './sqlite-file.js';

const MS_PER_DAY = 86_400_000;

/** How many backups to keep and for how long (config `backup.retention_days` / `backup.max_backups`, seed 004). */
export interface RetentionPolicy {
  /** Backups older than this many days are deleted (non-negative; fractions allowed). Seed 004 uses 30. */
  readonly retentionDays: number;
  /** At most this many backups are kept, newest first (integer ≥ 1). Seed 004 uses 10. */
  readonly maxBackups: number;
}

/**
 * Deletes old backups of one database: everything after the `maxBackups`
 * newest, and everything older than `retentionDays` — except the newest
 * backup, which is always kept so a restore stays possible. Backups are
 * recognised and dated by file name.
 *
 * @param directory the backup directory; a missing one has nothing to prune
 * @param databasePath the database whose backups are pruned (matched by file name without extension)
 * @param policy see {@link RetentionPolicy}
 * @param now the instant ages are measured from. Default: now
 * @returns absolute paths of the deleted backups, newest first
 * @throws SpineError `INVALID_ARGUMENT` for a negative or non-finite `retentionDays`, a `maxBackups` below 1 or an invalid `now`;
 *   `BACKUP_FAILED` when a file cannot be deleted (those listed before it are already gone)
 */
export async function pruneBackups(directory: string, databasePath: string, policy: RetentionPolicy, now: Date = new Date()): Promise<string[]> {
  if (!Number.isFinite(policy.retentionDays) || policy.retentionDays < 0) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `retentionDays must be a number of days ≥ 0, got ${policy.retentionDays}.`);
  }
  if (!Number.isInteger(policy.maxBackups) || policy.maxBackups < 1) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `maxBackups must be an integer ≥ 1, got ${policy.maxBackups}.`);
  }
  if (Number.isNaN(now.getTime())) throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'now is not a valid date.');
  const oldest = now.getTime() - policy.retentionDays * MS_PER_DAY;
  const doomed = findBackupFiles(directory, databasePath).filter(
    (file, index) => index > 0 && (index >= policy.maxBackups || file.createdAt.getTime() < oldest),
  );
  const deleted: string[] = [];
  for (const file of doomed) {
    try {
      removeDatabaseFiles(file.path);
    } catch (error) {
      throw new SpineError(ErrorCode.BACKUP_FAILED, `Cannot delete old backup ${file.path}: ${errorMessage(error)}.`, {
        hint: 'Check the permissions of the backup directory.',
        details: { deleted },
        cause: error,
      });
    }
    deleted.push(file.path);
  }
  return deleted;
}
