import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, SpineError, errorMessage, isSpineError } from '../errors.js';
import { backupFileName, sanitizeLabel } from './backup-name.js';
import { renameDurably } from './durable-fs.js';
import { hasSqliteHeader, integrityProblems, ledgerSummary, pageGeometry, removeDatabaseFiles } from './sqlite-file.js';
import type { LedgerSummary } from './sqlite-file.js';

/**
 * Pages copied per step of the online backup: about 4 MiB at the default
 * 4 KiB page size — few steps, so a busy writer seldom restarts the copy, yet
 * the event loop runs between them.
 */
const DEFAULT_PAGES_PER_STEP = 1024;
/** better-sqlite3 clamps a step's page count to a 32-bit int; this copies everything that is left. */
const ALL_REMAINING_PAGES = 0x7fffffff;
/** How long a backup step waits for a writer's lock, in milliseconds (WAL readers seldom wait at all). */
const SOURCE_BUSY_TIMEOUT_MS = 5000;

/** A verified backup file. */
export interface BackupInfo {
  /** Absolute path of the backup file. */
  readonly path: string;
  /** Absolute path of the database that was backed up. */
  readonly database: string;
  /** The label as written in the file name (sanitised to `[a-z0-9-]`). */
  readonly label: string;
  /** When the backup was taken: ISO-8601 UTC with milliseconds, the instant in the file name. */
  readonly createdAt: string;
  /** Size of the backup file in bytes (its page count × page size). */
  readonly bytes: number;
  /** Number of database pages in the backup. */
  readonly pageCount: number;
  /** `PRAGMA integrity_check` of the backup; a backup that is not `ok` is never kept. */
  readonly integrity: 'ok';
  /** The backup's `_migrations` ledger. */
  readonly ledger: LedgerSummary;
}

/** Where and how {@link backupDatabase} writes. */
export interface BackupOptions {
  /** Directory of the backups (config `backup.directory`, seed 004); created if missing. */
  readonly directory: string;
  /** Why the backup was taken (e.g. `pre-v2`); sanitised to `[a-z0-9-]` for the file name. */
  readonly label: string;
  /** The backup's instant, for its name and `createdAt`. Default: now. */
  readonly now?: Date;
  /** Pages copied per step (positive integer). Default 1024. */
  readonly pagesPerStep?: number;
  /**
   * Called between steps with pages copied so far and the total, in pages;
   * `done` only grows, and the last call is `(total, total)`.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The source's size when the copy finished. */
interface SourceSize {
  readonly pageCount: number;
  readonly pageSize: number;
}

function backupFailed(
  database: string,
  reason: string,
  extra: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
): SpineError {
  return new SpineError(ErrorCode.BACKUP_FAILED, `Backup of ${database} failed: ${reason}.`, {
    hint: 'Check the database with `PRAGMA integrity_check` and that the backup directory is writable and has space; nothing was kept.',
    ...extra,
  });
}

/**
 * Copies the source with SQLite's online backup API, step by step, so other
 * connections keep working. A write by another connection makes SQLite
 * restart the copy from page 1; after one restart the rest is copied in a
 * single step, so a busy writer cannot starve the backup.
 */
async function copyOnline(
  database: string,
  destination: string,
  pagesPerStep: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<SourceSize> {
  // Opened read-write but only read: SQLite falls back to read-only for a write-protected file, and as the
  // last connection it removes the -wal/-shm it created on close, which a read-only connection never does.
  const source = new Database(database, { fileMustExist: true });
  try {
    source.pragma(`busy_timeout = ${SOURCE_BUSY_TIMEOUT_MS}`);
    let lastDone = -1;
    let restarted = false;
    const result = await source.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        const done = totalPages - remainingPages;
        // Every step with pages left copies at least one, so no progress means SQLite restarted the copy.
        if (done <= lastDone) restarted = true;
        else {
          onProgress?.(done, totalPages);
          lastDone = done;
        }
        return restarted ? ALL_REMAINING_PAGES : pagesPerStep;
      },
    });
    onProgress?.(result.totalPages, result.totalPages);
    return { pageCount: result.totalPages, pageSize: pageGeometry(source).pageSize };
  } finally {
    source.close();
  }
}

/**
 * Checks the copy as seed 004 Phase 0 steps 4–5 do — integrity `ok`, size
 * right — and switches it to rollback-journal mode: the copy inherits the
 * source's WAL flag, and a WAL-mode file gains `-wal`/`-shm` companions on
 * every read-only open.
 */
function verifyCopy(database: string, copyPath: string, source: SourceSize): { bytes: number; pageCount: number; ledger: LedgerSummary } {
  const copy = new Database(copyPath, { fileMustExist: true });
  let geometry: { pageCount: number; pageSize: number };
  let ledger: LedgerSummary;
  try {
    copy.pragma('journal_mode = DELETE');
    const problems = integrityProblems(copy);
    if (problems.length > 0) {
      throw backupFailed(database, `the copy failed PRAGMA integrity_check (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''})`, {
        details: { problems },
      });
    }
    geometry = pageGeometry(copy);
    ledger = ledgerSummary(copy);
  } finally {
    copy.close();
  }
  const bytes = statSync(copyPath).size;
  const expected = source.pageCount * source.pageSize;
  if (geometry.pageCount * geometry.pageSize !== bytes || bytes !== expected) {
    throw backupFailed(
      database,
      `size check failed: the copy is ${bytes} bytes holding ${geometry.pageCount} pages of ${geometry.pageSize} bytes, the source ${source.pageCount} pages of ${source.pageSize} bytes (${expected} bytes)`,
      { details: { bytes, pageCount: geometry.pageCount, pageSize: geometry.pageSize, sourcePageCount: source.pageCount, sourcePageSize: source.pageSize } },
    );
  }
  return { bytes, pageCount: geometry.pageCount, ledger };
}

/**
 * Backs up a SQLite database file while it stays in use (seed 004 Phase 0:
 * create backup, verify integrity, verify size).
 *
 * The copy is written as `<name>.partial` in `directory`, verified —
 * `PRAGMA integrity_check` is `ok`, its page count × page size equals its file
 * size and the source's page count × page size when the copy finished — and
 * only then renamed to `<database name>_<label>_<YYYYMMDDTHHMMSSmmmZ>.db`, so
 * a crash never leaves a half backup under a final name. Committed data still
 * in the source's WAL is included; uncommitted data is not.
 *
 * @param sourcePath the database file (absolute or relative to the working directory)
 * @param options directory, label, instant, step size and progress callback; see {@link BackupOptions}
 * @returns the verified backup
 * @throws SpineError `INVALID_ARGUMENT` for a label without letters or digits, an invalid `now` or `pagesPerStep`;
 *   `BACKUP_FAILED` when the source is missing or not a SQLite database, a backup of that name exists, or the
 *   copy or its verification fails — the partial copy is deleted first
 */
export async function backupDatabase(sourcePath: string, options: BackupOptions): Promise<BackupInfo> {
  const database = resolve(sourcePath);
  const createdAt = options.now ?? new Date();
  const pagesPerStep = options.pagesPerStep ?? DEFAULT_PAGES_PER_STEP;
  if (!Number.isInteger(pagesPerStep) || pagesPerStep < 1 || pagesPerStep > ALL_REMAINING_PAGES) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `pagesPerStep must be a positive integer, got ${pagesPerStep}.`);
  }
  const label = sanitizeLabel(options.label);
  const name = backupFileName(database, label, createdAt);
  const checkPath = { hint: 'Check the database path (--db or SPINE_DB).' };
  if (!existsSync(database) || !statSync(database).isFile()) throw backupFailed(database, 'the database file does not exist', checkPath);
  if (!hasSqliteHeader(database)) throw backupFailed(database, 'the file is not a SQLite database (no "SQLite format 3" header)', checkPath);

  const directory = resolve(options.directory);
  const path = join(directory, name);
  const partial = `${path}.partial`;
  try {
    mkdirSync(directory, { recursive: true });
    if (existsSync(path)) {
      throw backupFailed(database, `a backup named ${path} already exists`, { hint: 'Use another label; names carry the time to the millisecond.' });
    }
    removeDatabaseFiles(partial);
    const source = await copyOnline(database, partial, pagesPerStep, options.onProgress);
    const copy = verifyCopy(database, partial, source);
    renameDurably(partial, path);
    return {
      path,
      database,
      label,
      createdAt: createdAt.toISOString(),
      bytes: copy.bytes,
      pageCount: copy.pageCount,
      integrity: 'ok',
      ledger: copy.ledger,
    };
  } catch (error) {
    removeDatabaseFiles(partial);
    if (isSpineError(error)) throw error;
    throw backupFailed(database, errorMessage(error), { cause: error });
  }
}
