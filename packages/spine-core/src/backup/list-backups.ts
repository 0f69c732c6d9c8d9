import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../errors.js';
import { databaseName, parseBackupFileName } from './backup-name.js';
import { hasSqliteHeader, ledgerSummary, pageGeometry } from './sqlite-file.js';
import type { LedgerSummary } from './sqlite-file.js';

/** A backup file found by name in a backup directory. */
export interface BackupFile {
  /** Absolute path of the file. */
  readonly path: string;
  /** The backed-up database's file name without extension, from the file name. */
  readonly databaseName: string;
  /** The label, from the file name. */
  readonly label: string;
  /** When the backup was taken, from the file name. */
  readonly createdAt: Date;
}

/** One row of {@link listBackups}. */
export interface BackupListing {
  /** Absolute path of the backup file. */
  readonly path: string;
  /** The backed-up database's file name without extension (`state` for `state.db`). */
  readonly databaseName: string;
  /** The label from the file name. */
  readonly label: string;
  /** When the backup was taken: ISO-8601 UTC with milliseconds, from the file name. */
  readonly createdAt: string;
  /** File size in bytes. */
  readonly bytes: number;
  /** Database pages in the file; null when it could not be read. */
  readonly pageCount: number | null;
  /** The file's `_migrations` ledger; null when it could not be read. */
  readonly ledger: LedgerSummary | null;
  /** Why the file could not be read as a SQLite database; absent when it could. */
  readonly error?: string;
}

/**
 * Backup files in `directory`, newest first, recognised by name only (no file
 * is opened): files that do not follow the naming scheme — partial copies,
 * companions, anything else — are left out.
 *
 * @param directory the backup directory; a missing directory has no backups
 * @param databasePath when given, only backups of the database with this file's name
 * @returns the files, newest first (ties by name, descending)
 * @throws the file system's error when the directory exists but cannot be read
 */
export function findBackupFiles(directory: string, databasePath?: string): BackupFile[] {
  const root = resolve(directory);
  if (!existsSync(root)) return [];
  const wanted = databasePath === undefined ? undefined : databaseName(databasePath);
  const files: BackupFile[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const parsed = entry.isFile() ? parseBackupFileName(entry.name) : null;
    if (parsed === null || (wanted !== undefined && parsed.databaseName !== wanted)) continue;
    files.push({ path: join(root, entry.name), ...parsed });
  }
  return files.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0));
}

/** Opens a backup read-only for its page count and ledger. */
function inspect(path: string): Pick<BackupListing, 'pageCount' | 'ledger' | 'error'> {
  try {
    if (!hasSqliteHeader(path)) return { pageCount: null, ledger: null, error: 'not a SQLite database (no "SQLite format 3" header)' };
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return { pageCount: pageGeometry(db).pageCount, ledger: ledgerSummary(db) };
    } finally {
      db.close();
    }
  } catch (error) {
    return { pageCount: null, ledger: null, error: errorMessage(error) };
  }
}

/**
 * Lists the backups in `directory`, newest first, with each file's size and
 * ledger (newest applied migration and count). A file that cannot be read as
 * a SQLite database is listed with `error` set, never thrown.
 *
 * @param directory the backup directory (config `backup.directory`, seed 004); a missing directory has no backups
 * @param databasePath when given, only backups of the database with this file's name
 * @throws the file system's error when the directory exists but cannot be read
 */
export async function listBackups(directory: string, databasePath?: string): Promise<BackupListing[]> {
  return findBackupFiles(directory, databasePath).map((file) => ({
    path: file.path,
    databaseName: file.databaseName,
    label: file.label,
    createdAt: file.createdAt.toISOString(),
    bytes: statSync(file.path).size,
    ...inspect(file.path),
  }));
}
