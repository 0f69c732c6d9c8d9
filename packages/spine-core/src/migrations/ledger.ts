import { hostname, userInfo } from 'node:os';
import type { SqlExecutor } from '../dialect/types.js';
import { nowIso } from '../ids.js';
import type { SpineDb } from '../spine-db.js';

/** The ledger table: one row per applied migration (DESIGN.md "The ledger"). */
export const LEDGER_TABLE = '_migrations';
/**
 * The migration log: what happened besides applying — failed attempts (kept
 * apart from the ledger, never as applied), rollbacks, repairs, baselines.
 */
export const LOG_TABLE = '_migration_log';

/** How a ledger row came to be: applied by the engine, or recorded by `baseline` for a pre-existing schema. */
export type LedgerKind = 'migrate' | 'baseline';

/** A row of `_migrations`. Times are ISO-8601 UTC strings; durations in milliseconds. */
export interface LedgerRow {
  readonly migration_id: string;
  readonly package: string;
  readonly package_version: string;
  readonly tier: string;
  readonly dialect: string;
  readonly description: string;
  readonly checksum: string;
  readonly applied_at: string;
  readonly applied_by: string;
  readonly execution_time_ms: number;
  readonly success: number;
  readonly error_message: string | null;
  readonly down_checksum: string | null;
  readonly bundle: string | null;
  readonly installed_rank: number;
  readonly kind: LedgerKind;
}

/** Events of the migration log. */
export type LogEvent = 'failed' | 'rolled_back' | 'repaired' | 'baselined';

/** A row of `_migration_log`. */
export interface LogRow {
  readonly event: LogEvent;
  readonly migration_id: string;
  readonly package: string;
  readonly package_version: string;
  readonly dialect: string;
  /** Checksum of the script concerned (the new one for a repair). */
  readonly checksum: string | null;
  /** The checksum a repair replaced. */
  readonly previous_checksum: string | null;
  readonly at: string;
  readonly by: string;
  readonly execution_time_ms: number | null;
  readonly statement_line: number | null;
  readonly statement: string | null;
  /** The error of a failure, or the reason given for a repair. */
  readonly message: string | null;
}

/** Who applies migrations: `user@host`, recorded in `applied_by`. */
export function currentActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** True when the ledger table exists (checked without writing). */
export async function ledgerExists(db: SpineDb): Promise<boolean> {
  const objects = await db.dialect.introspector.listObjects(db.executor());
  return objects.some((o) => o.type === 'table' && o.name === LEDGER_TABLE);
}

/** Creates the ledger and the log if absent, in one transaction. */
export async function ensureLedger(db: SpineDb): Promise<void> {
  await db.transaction(async (tx) => {
    for (const ddl of db.dialect.ledgerDdl) await tx.exec(ddl);
  });
}

/** All ledger rows in installed order; empty when the ledger does not exist yet. */
export async function readLedger(db: SpineDb): Promise<LedgerRow[]> {
  if (!(await ledgerExists(db))) return [];
  return readLedgerIn(db.executor());
}

/** Ledger rows read through `executor` (inside a transaction, to see a consistent ledger). */
export async function readLedgerIn(executor: SqlExecutor): Promise<LedgerRow[]> {
  return (await executor.kysely.selectFrom(LEDGER_TABLE).selectAll().orderBy('installed_rank').execute()) as LedgerRow[];
}

/** Writes one ledger row, numbering it after the rows already installed. */
export async function insertLedgerRow(executor: SqlExecutor, row: Omit<LedgerRow, 'installed_rank'>): Promise<void> {
  const max = (await executor.kysely
    .selectFrom(LEDGER_TABLE)
    .select((eb) => eb.fn.max('installed_rank').as('rank'))
    .executeTakeFirst()) as { rank: number | null } | undefined;
  await executor.kysely
    .insertInto(LEDGER_TABLE)
    .values({ ...row, installed_rank: (max?.rank ?? 0) + 1 })
    .execute();
}

/** Appends an event to the migration log (for a failure: autocommit, so it survives the rollback). */
export async function logEvent(executor: SqlExecutor, row: Omit<LogRow, 'at' | 'by'> & { at?: string; by?: string }): Promise<void> {
  await executor.kysely
    .insertInto(LOG_TABLE)
    .values({ ...row, at: row.at ?? nowIso(), by: row.by ?? currentActor() })
    .execute();
}

/** The migration log, newest first, optionally one event kind only. */
export async function readLog(db: SpineDb, event?: LogEvent): Promise<LogRow[]> {
  if (!(await ledgerExists(db))) return [];
  let query = db.kysely.selectFrom(LOG_TABLE).selectAll().orderBy('log_id', 'desc');
  if (event !== undefined) query = query.where('event', '=', event);
  return (await query.execute()) as LogRow[];
}
