import { LEDGER_TABLE, LOG_TABLE } from '../migrations/ledger.js';
import type { SpineDb } from '../spine-db.js';
import type { BackupInfo } from './backup-database.js';
import type { RetentionPolicy } from './prune-backups.js';

/** Where safety backups go and how many are kept (seed 004 `backup:` settings). */
export interface SafetyBackupPolicy extends RetentionPolicy {
  readonly directory: string;
  /** Progress of the copy, in pages. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A safety backup taken, and the old backups the retention policy removed. */
export interface SafetyBackup {
  readonly backup: BackupInfo;
  readonly pruned: readonly string[];
}

/**
 * Seed 004 phase 0 made routine: before a schema change, an online backup
 * verified for integrity and size, then the retention policy applied.
 * Nothing is backed up when the database cannot be (`:memory:`) or holds no
 * table besides the migration ledger yet (there is nothing to lose).
 *
 * @param label what the backup is for, e.g. `pre-migrate-core-basic-0006`
 * @returns the backup, or null when none was needed
 * @throws SpineError `BACKUP_FAILED`: the caller must not go on with the change
 */
export async function safetyBackup(db: SpineDb, policy: SafetyBackupPolicy, label: string): Promise<SafetyBackup | null> {
  const backups = db.dialect.backups;
  if (!backups) return null;
  const objects = await db.dialect.introspector.listObjects(db.executor());
  // The engine's own ledger and log are created just before; they are not data to protect.
  if (!objects.some((o) => o.type === 'table' && o.name !== LEDGER_TABLE && o.name !== LOG_TABLE)) return null;
  const backup = await backups.create({ directory: policy.directory, label, ...(policy.onProgress ? { onProgress: policy.onProgress } : {}) });
  const pruned = await backups.prune(policy.directory, { retentionDays: policy.retentionDays, maxBackups: policy.maxBackups });
  return { backup, pruned };
}
