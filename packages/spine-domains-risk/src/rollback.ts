import { ErrorCode, backupDirectory, databaseBackups, isSpineError, openSpineDb } from '@market-spine/core';
import type { BackupListing, ErrorCode as ErrorCodeValue, RestoreResult, SpineConfig } from '@market-spine/core';
import { readRiskSchemaState } from './schema-version.js';
import type { RiskSchemaState } from './schema-version.js';
import { PRE_V2_BACKUP_LABEL } from './upgrade.js';

/**
 * Outcome of {@link rollbackRiskDatabase}: `restored` with the state now in
 * place, or `refused` (no pre-v2 backup, the database in use, the backup
 * unusable) with nothing changed.
 */
export type RiskRollbackResult =
  | { readonly status: 'restored'; readonly backup: BackupListing; readonly restore: RestoreResult; readonly state: RiskSchemaState }
  | { readonly status: 'refused'; readonly code: ErrorCodeValue; readonly message: string; readonly hint: string };

/**
 * Seed 004 rollback scenario 2 as one call: the newest `pre-v2` backup in the
 * configured backup directory replaces the database (after it is verified,
 * and only while no other process holds the database); the failed database
 * is kept beside it as `*.failed_<timestamp>`. Returns the schema state now
 * in place (v1: no `schema_version`).
 *
 * @param options.backup a specific backup file instead of the newest pre-v2 one
 * @throws only for errors that are not outcomes (e.g. the file system failing)
 */
export async function rollbackRiskDatabase(options: { readonly path: string; readonly config: SpineConfig; readonly backup?: string }): Promise<RiskRollbackResult> {
  const backups = databaseBackups(options.path);
  const directory = backupDirectory(options.config, options.path);
  const listing = await backups.list(directory);
  const chosen = options.backup === undefined ? listing.find((b) => b.label === PRE_V2_BACKUP_LABEL) : listing.find((b) => b.path === options.backup);
  if (!chosen) {
    return {
      status: 'refused',
      code: ErrorCode.BACKUP_INVALID,
      message: options.backup === undefined ? `No ${PRE_V2_BACKUP_LABEL} backup of ${options.path} in ${directory}.` : `${options.backup} is not a backup of ${options.path} in ${directory}.`,
      hint: 'List the backups with `spine db backups --db <path>`; a pre-v2 backup is taken by `spine risk upgrade`.',
    };
  }
  let restore: RestoreResult;
  try {
    restore = await backups.restore(chosen.path);
  } catch (error) {
    if (isSpineError(error)) return { status: 'refused', code: error.code, message: error.message, hint: error.hint ?? '' };
    throw error;
  }
  const db = await openSpineDb({ target: options.path, readonly: true });
  try {
    return { status: 'restored', backup: chosen, restore, state: await readRiskSchemaState(db) };
  } finally {
    await db.close();
  }
}
