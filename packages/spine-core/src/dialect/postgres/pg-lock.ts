import { migrationLockedError } from '../lock-holder.js';
import type { LockHolder, MigrationLock, MigrationLockOptions } from '../types.js';
import type { PgBackend } from './pg-backend.js';

const POLL_MS = 100;
/** First key of the advisory lock pair: "SP" — the second is the schema's hash, so schemas lock independently. */
const LOCK_CLASS = 0x5350;
/** The two keys of the migration lock as SQL arguments: `pg_advisory_lock(${ADVISORY_LOCK_KEY})` (also in the bundles' psql scripts). */
export const ADVISORY_LOCK_KEY = `${LOCK_CLASS}, hashtext(current_schema())`;
/** `application_name` of the holding session: `spine pid=<pid> <purpose>` (PostgreSQL keeps 63 bytes of it). */
const APPLICATION_NAME = /^spine pid=(\d+) (.*)$/;

interface HolderRow {
  readonly application_name: string;
  readonly client: string | null;
  readonly backend_start: string;
}

function holderOf(row: HolderRow | undefined): LockHolder | null {
  if (!row) return null;
  const match = APPLICATION_NAME.exec(row.application_name);
  return {
    pid: match ? Number(match[1]) : 0,
    host: row.client ?? 'a local socket',
    since: row.backend_start,
    purpose: match?.[2] ?? (row.application_name || 'not a Market Spine migrator'),
  };
}

/**
 * The migration lock on PostgreSQL: a session advisory lock
 * (`pg_try_advisory_lock`, keyed by the schema) held on a dedicated
 * connection for the whole run. PostgreSQL releases it when that session
 * ends, so a killed migrator leaves no stale lock. A waiting migrator polls
 * until `timeoutMs` and names the holder from `pg_locks` and
 * `pg_stat_activity` (its `application_name` carries pid and purpose).
 *
 * @throws SpineError `MIGRATION_LOCKED` naming the holder when `timeoutMs` passes
 */
export async function acquirePostgresMigrationLock(backend: PgBackend, target: string, options: MigrationLockOptions): Promise<MigrationLock> {
  const session = await backend.acquire();
  const started = Date.now();
  let notified = false;
  try {
    await session.query(`SELECT set_config('application_name', $1, false)`, [`spine pid=${process.pid} ${options.purpose}`.slice(0, 63)]);
    for (;;) {
      const taken = await session.query<{ ok: boolean | number }>(`SELECT pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) AS ok`);
      if (taken.rows[0]?.ok) break;
      const other = await session.query<HolderRow>(
        `SELECT a.application_name, COALESCE(a.client_hostname, host(a.client_addr)) AS client, a.backend_start
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.classid = ${LOCK_CLASS} AND l.objid = hashtext(current_schema())::oid AND l.granted LIMIT 1`,
      );
      const holder = holderOf(other.rows[0]);
      if (Date.now() - started >= options.timeoutMs) throw migrationLockedError(target, holder, options.timeoutMs);
      if (!notified) {
        options.onWait?.(holder);
        notified = true;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    await session.query('RESET application_name').catch(() => undefined);
    session.release();
    throw error;
  }
  return {
    async release() {
      try {
        await session.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`);
        // The connection goes back to the pool: it must not keep claiming to be the migrator.
        await session.query('RESET application_name');
      } finally {
        session.release();
      }
    },
  };
}

