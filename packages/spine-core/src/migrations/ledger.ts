import { hostname, userInfo } from 'node:os';
import type { SqlExecutor } from '../dialect/types.js';
import type { SpineDb } from '../spine-db.js';

/** The ledger table: one row per applied migration (DESIGN.md "The ledger"). */
export const LEDGER_TABLE = '_migrations';
/** The failures log: one row per failed attempt, kept apart from the ledger. */
export const FAILURES_TABLE = '_migration_failures';

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
}

/** A row of `_migration_failures`. */
export interface FailureRow {
  readonly migration_id: string;
  readonly package: string;
  readonly package_version: string;
  readonly dialect: string;
  readonly checksum: string;
  readonly failed_at: string;
  readonly failed_by: string;
  readonly execution_time_ms: number;
  readonly statement_line: number | null;
  readonly statement: string | null;
  readonly error_message: string;
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

/** Creates the ledger and failures log if absent, in one transaction. */
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
  return (await executor.kysely
    .selectFrom(LEDGER_TABLE)
    .selectAll()
    .orderBy('installed_rank')
    .execute()) as LedgerRow[];
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

/** Appends a failed attempt to the failures log (autocommit: it must survive the rollback). */
export async function recordFailure(executor: SqlExecutor, row: FailureRow): Promise<void> {
  await executor.kysely.insertInto(FAILURES_TABLE).values(row).execute();
}

/** The failures log, newest first. */
export async function readFailures(db: SpineDb): Promise<FailureRow[]> {
  if (!(await ledgerExists(db))) return [];
  return (await db.kysely.selectFrom(FAILURES_TABLE).selectAll().orderBy('failure_id', 'desc').execute()) as FailureRow[];
}
