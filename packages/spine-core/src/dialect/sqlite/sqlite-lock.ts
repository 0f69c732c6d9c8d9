import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { migrationLockedError } from '../lock-holder.js';
import type { LockHolder, MigrationLock, MigrationLockOptions } from '../types.js';

const POLL_MS = 100;

function readHolder(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

const isBusy = (error: unknown) => (error as { code?: string }).code === 'SQLITE_BUSY' || (error as { code?: string }).code === 'SQLITE_LOCKED';

/**
 * A migration lock for a SQLite file: an EXCLUSIVE transaction held on a
 * companion lock database (`<db>.migrate-lock`) for the whole run. The
 * operating system drops the lock when the holding process dies, so no stale
 * lock survives a killed migrator; `<db>.migrate-lock.json` names the holder
 * for the waiting process's message only — it is never the lock itself.
 * Waiting polls without blocking the event loop.
 *
 * @throws SpineError `MIGRATION_LOCKED` naming the holder when `timeoutMs` passes
 */
export async function acquireSqliteMigrationLock(databasePath: string, options: MigrationLockOptions): Promise<MigrationLock> {
  if (databasePath === ':memory:') return { release: async () => undefined };
  const lockPath = `${databasePath}.migrate-lock`;
  const infoPath = `${lockPath}.json`;
  const connection = new Database(lockPath);
  connection.pragma('busy_timeout = 0');
  const started = Date.now();
  let notified = false;
  for (;;) {
    try {
      connection.exec('BEGIN EXCLUSIVE');
      break;
    } catch (error) {
      if (!isBusy(error)) {
        connection.close();
        throw new SpineError(ErrorCode.DB_OPEN_FAILED, `Cannot take the migration lock ${lockPath}: ${errorMessage(error)}`, { cause: error });
      }
      const holder = readHolder(infoPath);
      if (Date.now() - started >= options.timeoutMs) {
        connection.close();
        throw migrationLockedError(databasePath, holder, options.timeoutMs);
      }
      if (!notified) {
        options.onWait?.(holder);
        notified = true;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: nowIso(), purpose: options.purpose };
  writeFileSync(infoPath, JSON.stringify(holder));
  return {
    async release() {
      if (!connection.open) return;
      if (readHolder(infoPath)?.pid === holder.pid) rmSync(infoPath, { force: true });
      connection.exec('ROLLBACK');
      connection.close();
    },
  };
}
