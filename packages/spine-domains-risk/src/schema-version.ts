import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';

/** The schema version this code writes and reads (seed 002: v2). */
export const RISK_SCHEMA_VERSION = 2;

/** The nine tables of schema v1 (seed 004 Phase 0 "Expected v1 Tables"). */
export const V1_TABLE_NAMES = [
  'contract_cache',
  'daily_pnl',
  'enforcement_log',
  'lockouts',
  'orders',
  'positions',
  'reset_schedule',
  'session_state',
  'trade_history',
] as const;

/** The indexes phase 2 and phase 1 add, which seed 004's verification requires. */
export const V2_REQUIRED_INDEXES = ['idx_enforcement_log_success', 'idx_positions_updated', 'idx_orders_state_account', 'idx_schema_version_applied'] as const;

/** What a state database holds, read from its tables (not from the engine's ledger, which an older tool never wrote). */
export interface RiskSchemaState {
  /**
   * The schema version: `MAX(version)` of the successful rows of
   * `schema_version` (DB-SCHEMA-001); 1 for v1 tables without it (or with
   * v1's minimal one); 0 for a database without any v1 table.
   */
  readonly version: number;
  /** v1 tables present, and missing, by name. */
  readonly v1Tables: { readonly present: readonly string[]; readonly missing: readonly string[] };
  /** Whether a `schema_version` table exists, and in which form. */
  readonly schemaVersionTable: 'none' | 'v1-minimal' | 'v2';
}

/**
 * Reads the risk schema state of a database (seed 004 "Record Current Schema
 * Version", and the version check of DB-SCHEMA-001).
 *
 * @throws the driver's error when the database cannot be read
 */
export async function readRiskSchemaState(db: SpineDb): Promise<RiskSchemaState> {
  const objects = await db.dialect.introspector.listObjects(db.executor());
  const tables = new Set(objects.filter((o) => o.type === 'table').map((o) => o.name.toLowerCase()));
  const present = V1_TABLE_NAMES.filter((t) => tables.has(t));
  const missing = V1_TABLE_NAMES.filter((t) => !tables.has(t));
  if (!tables.has('schema_version')) {
    return { version: present.length > 0 ? 1 : 0, v1Tables: { present, missing }, schemaVersionTable: 'none' };
  }
  const columns = await db.dialect.introspector.columns(db.executor(), 'schema_version');
  const rich = columns.some((c) => c.name.toLowerCase() === 'success');
  const row = rich
    ? await sql<{ version: number | null }>`SELECT MAX(version) AS version FROM schema_version WHERE success = 1`.execute(db.kysely)
    : await sql<{ version: number | null }>`SELECT MAX(version) AS version FROM schema_version`.execute(db.kysely);
  return { version: Number(row.rows[0]?.version ?? 1), v1Tables: { present, missing }, schemaVersionTable: rich ? 'v2' : 'v1-minimal' };
}
