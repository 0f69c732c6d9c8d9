import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { LEDGER_TABLE } from '../migrations/ledger.js';

/**
 * Files SQLite keeps beside a database (SQLite docs, "Temporary Files Used By
 * SQLite"). A stale one next to a different database would be replayed onto it,
 * so they always travel with their database file.
 */
export const SQLITE_COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** The first 16 bytes of every SQLite 3 database file (SQLite docs, "Database File Format" §1.3.1). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What a database's `_migrations` ledger says. */
export interface LedgerSummary {
  /** Number of applied migrations (ledger rows with `success = 1`). */
  readonly migrations: number;
  /** `migration_id` of the newest applied migration (highest `installed_rank`); null when none. */
  readonly head: string | null;
}

/**
 * True when the file starts with the SQLite 3 header. Says nothing about the
 * rest of the file: pair it with {@link integrityProblems}.
 *
 * @param path a file that exists
 * @throws the file system's error when `path` cannot be opened
 */
export function hasSqliteHeader(path: string): boolean {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `PRAGMA integrity_check` (the check seed 004 Phase 0 step 4 asks for).
 *
 * @returns the problems SQLite reports (at most 100), empty when the answer is `ok`
 * @throws better-sqlite3's `SqliteError` when the file is too damaged to check (e.g. `SQLITE_CORRUPT`, `SQLITE_NOTADB`)
 */
export function integrityProblems(db: BetterSqlite3.Database): string[] {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const messages = rows.map((row) => row.integrity_check);
  return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
}

/**
 * The database's page count and page size; their product is the database's
 * logical size in bytes.
 */
export function pageGeometry(db: BetterSqlite3.Database): { pageCount: number; pageSize: number } {
  return {
    pageCount: db.pragma('page_count', { simple: true }) as number,
    pageSize: db.pragma('page_size', { simple: true }) as number,
  };
}

/**
 * Reads the `_migrations` ledger's size and newest entry; a database without
 * the ledger (never migrated) gives 0 migrations and a null head.
 *
 * @throws better-sqlite3's `SqliteError` when the file cannot be read
 */
export function ledgerSummary(db: BetterSqlite3.Database): LedgerSummary {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(LEDGER_TABLE) !== undefined;
  if (!exists) return { migrations: 0, head: null };
  const row = db
    .prepare(
      `SELECT count(*) AS migrations,
              (SELECT migration_id FROM ${LEDGER_TABLE} WHERE success = 1 ORDER BY installed_rank DESC LIMIT 1) AS head
         FROM ${LEDGER_TABLE} WHERE success = 1`,
    )
    .get() as { migrations: number; head: string | null };
  return { migrations: row.migrations, head: row.head };
}

/** Deletes a database file and its {@link SQLITE_COMPANION_SUFFIXES companions}; missing files are fine. */
export function removeDatabaseFiles(path: string): void {
  for (const file of [path, ...SQLITE_COMPANION_SUFFIXES.map((suffix) => `${path}${suffix}`)]) rmSync(file, { force: true });
}
