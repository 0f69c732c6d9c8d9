import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, SpineError, errorMessage, isSpineError } from '../errors.js';
import { compactUtcTimestamp } from './backup-name.js';
import { assertDatabaseNotInUse } from './database-in-use.js';
import { renameDurably, syncFile } from './durable-fs.js';
import { SQLITE_COMPANION_SUFFIXES, hasSqliteHeader, integrityProblems, ledgerSummary, removeDatabaseFiles } from './sqlite-file.js';
import type { LedgerSummary } from './sqlite-file.js';

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** The instant in the moved-aside names. Default: now. */
  readonly now?: Date;
}

/** What {@link restoreBackup} did. */
export interface RestoreResult {
  /** Absolute path of the backup that was restored. */
  readonly restoredFrom: string;
  /** Where the replaced database file went (`<file>.failed_<YYYYMMDDTHHMMSSmmmZ>`); null when there was none. */
  readonly movedAside: string | null;
  /** Every file moved aside: the database file and any `-wal`/`-shm`/`-journal` companions left beside it. */
  readonly movedFiles: readonly string[];
  /** The `_migrations` ledger of the database now at the target path. */
  readonly ledger: LedgerSummary;
}

/** One rename of the move-aside step. */
interface Move {
  readonly from: string;
  readonly to: string;
}

function invalidBackup(backup: string, reason: string, extra: { details?: Record<string, unknown>; cause?: unknown } = {}): SpineError {
  return new SpineError(ErrorCode.BACKUP_INVALID, `Backup ${backup} cannot be restored: ${reason}.`, {
    hint: 'Pick another backup; list them with their ledger heads to choose.',
    ...extra,
  });
}

/** Integrity-checks the staged copy (byte for byte the backup) and reads its ledger. */
function verifyStaged(backup: string, staged: string): LedgerSummary {
  let db: Database.Database | undefined;
  try {
    // Read-write so a WAL-flagged backup's -wal/-shm, created on open, are removed on close.
    db = new Database(staged, { fileMustExist: true });
    const problems = integrityProblems(db);
    if (problems.length > 0) {
      throw invalidBackup(backup, `PRAGMA integrity_check failed (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''})`, {
        details: { problems },
      });
    }
    return ledgerSummary(db);
  } catch (error) {
    if (isSpineError(error)) throw error;
    throw invalidBackup(backup, errorMessage(error), { cause: error });
  } finally {
    db?.close();
  }
}

/** Puts moved files back (newest move first), then rethrows `cause`; says which files are stranded if that fails too. */
function putBack(moved: readonly Move[], cause: unknown): never {
  const stranded: Move[] = [];
  for (const move of [...moved].reverse()) {
    try {
      renameSync(move.to, move.from);
    } catch {
      stranded.push(move);
    }
  }
  if (stranded.length > 0) {
    throw new SpineError(ErrorCode.BACKUP_FAILED, `Restore failed (${errorMessage(cause)}) and ${stranded.map((m) => m.to).join(', ')} could not be moved back.`, {
      hint: `Rename by hand: ${stranded.map((m) => `${m.to} → ${m.from}`).join(', ')}.`,
      details: { stranded },
      cause,
    });
  }
  throw cause;
}

/** Renames the files aside, all or none. */
function moveAside(moves: readonly Move[]): void {
  for (const move of moves) {
    if (existsSync(move.to)) {
      throw new SpineError(ErrorCode.BACKUP_FAILED, `Cannot move ${move.from} aside: ${move.to} already exists.`, {
        hint: 'Retry (the name carries a millisecond timestamp) or move that file away first.',
      });
    }
  }
  const done: Move[] = [];
  try {
    for (const move of moves) {
      renameSync(move.from, move.to);
      done.push(move);
    }
  } catch (error) {
    putBack(done, error);
  }
}

/**
 * Restores a SQLite database from a backup (seed 004 Rollback Scenario 2:
 * stop the daemon, move the failed database aside as `*.failed_<timestamp>`,
 * copy the backup into place, check its integrity).
 *
 * In order: the backup must exist and be a SQLite file; it is copied to
 * `<target>.restoring`, flushed, and that copy must pass
 * `PRAGMA integrity_check`; no other connection may use the target (see
 * {@link assertDatabaseNotInUse}); then the target and any `-wal`, `-shm`,
 * `-journal` companions are renamed to `<target>.failed_<YYYYMMDDTHHMMSSmmmZ>`
 * plus their suffix — so SQLite still pairs the moved file with its WAL — and
 * the checked copy is renamed into place. The target path is never left
 * missing: when the final rename fails, the moved files are put back. Until
 * the move, the target's data does not change — though the in-use check, as
 * SQLite's last connection, folds a leftover WAL of an unused database into
 * its file, so the moved-aside file holds everything that was committed.
 *
 * @param targetPath the database file to replace; need not exist (then nothing is moved aside)
 * @param backupPath the backup file to restore
 * @param options see {@link RestoreOptions}
 * @returns the backup used, what was moved aside, and the restored database's ledger
 * @throws SpineError `BACKUP_INVALID` when the backup is missing, not a SQLite database or fails its integrity check;
 *   `DB_IN_USE` when another connection uses the target; `INVALID_ARGUMENT` when both paths name the same file
 *   or `now` is invalid; `BACKUP_FAILED` when copying or renaming fails (the target is as it was, unless the message names files it could not move back)
 */
export async function restoreBackup(targetPath: string, backupPath: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const target = resolve(targetPath);
  const backup = resolve(backupPath);
  const stamp = compactUtcTimestamp(options.now ?? new Date());
  if (target === backup) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot restore ${target} from itself.`, { hint: 'Give a backup file, not the database.' });
  }
  if (!existsSync(backup) || !statSync(backup).isFile()) throw invalidBackup(backup, 'the file does not exist');
  if (!hasSqliteHeader(backup)) throw invalidBackup(backup, 'it is not a SQLite database (no "SQLite format 3" header)');

  const staged = `${target}.restoring`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    removeDatabaseFiles(staged);
    copyFileSync(backup, staged);
    syncFile(staged);
    const ledger = verifyStaged(backup, staged);
    if (existsSync(target)) assertDatabaseNotInUse(target);

    const aside = `${target}.failed_${stamp}`;
    const moves = [
      { from: target, to: aside },
      ...SQLITE_COMPANION_SUFFIXES.map((suffix) => ({ from: `${target}${suffix}`, to: `${aside}${suffix}` })),
    ].filter((move) => existsSync(move.from));
    moveAside(moves);
    try {
      renameDurably(staged, target);
    } catch (error) {
      putBack(moves, error);
    }
    return {
      restoredFrom: backup,
      movedAside: moves.some((move) => move.from === target) ? aside : null,
      movedFiles: moves.map((move) => move.to),
      ledger,
    };
  } catch (error) {
    removeDatabaseFiles(staged);
    if (isSpineError(error)) throw error;
    throw new SpineError(ErrorCode.BACKUP_FAILED, `Restore of ${target} from ${backup} failed: ${errorMessage(error)}.`, {
      hint: 'Check that the directory is writable and has space; the database was left as it was.',
      cause: error,
    });
  }
}
