import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ErrorCode, SpineError } from '../errors.js';
import { hasSqliteHeader } from './sqlite-file.js';

/** better-sqlite3 error codes that mean another connection holds a lock. */
const LOCKED_CODE = /^SQLITE_(BUSY|LOCKED)/;
/** Error codes of a file whose content SQLite cannot read, so its locks cannot be taken. */
const UNREADABLE_CODE = /^SQLITE_(NOTADB|CORRUPT)/;

/**
 * Refuses when another connection — in this process or another — uses the
 * SQLite database at `path` (seed 004 Phase 0 "Stop Daemon" / "Verify No
 * Active Connections", Rollback Scenario 2 step 1).
 *
 * A fresh connection without busy timeout takes `BEGIN EXCLUSIVE` in
 * exclusive locking mode: that fails while anyone writes, and in WAL mode
 * also while any other connection merely has the database open, because each
 * one keeps a shared lock on the file. In rollback-journal mode an idle
 * connection holds no lock and cannot be seen. The check connection reads
 * nothing but, as the last one open, folds a leftover WAL into the database
 * file and removes it on close, as any SQLite client would.
 *
 * A file SQLite cannot read (not a database, corrupt) cannot be lock-checked
 * and passes: it is what a restore replaces. A non-empty file without the
 * SQLite header is not even opened, so SQLite leaves its companions alone.
 *
 * @param path an existing file
 * @throws SpineError `DB_IN_USE` when another connection holds the database;
 *   better-sqlite3's `SqliteError` or the file system's error when the file cannot be read, opened or locked for
 *   another reason (permissions)
 */
export function assertDatabaseNotInUse(path: string): void {
  if (statSync(path).size > 0 && !hasSqliteHeader(path)) return;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
  } catch (error) {
    if (error instanceof Database.SqliteError && LOCKED_CODE.test(error.code)) {
      throw new SpineError(ErrorCode.DB_IN_USE, `Database ${path} is in use by another process; stop it first.`, {
        hint: 'Stop the daemon or any other process (and close other connections) using this database, then retry.',
        details: { path, sqliteCode: error.code },
        cause: error,
      });
    }
    if (!(error instanceof Database.SqliteError && UNREADABLE_CODE.test(error.code))) throw error;
  } finally {
    db?.close();
  }
}
