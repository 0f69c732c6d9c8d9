import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import type { TestDialect } from '@market-spine/core/testing';
import { finraMigrationSource } from '../migration-source.js';
import type { FinraTables } from '../tables.js';

/** A temporary directory for one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'spine-finra-'));
}

/**
 * A database with core's and this package's migrations applied: a new empty
 * database of a test dialect, or the given target (SQLite in memory by default).
 */
export async function migratedDb(target: string | TestDialect = ':memory:'): Promise<SpineDb<FinraTables>> {
  const db = (typeof target === 'string' ? await openSpineDb<FinraTables>(target) : await target.open()) as SpineDb<FinraTables>;
  const result = await new Migrator(db, { sources: [coreMigrationSource(), finraMigrationSource()] }).migrate();
  if (result.status !== 'ok') throw new Error(`migration failed: ${JSON.stringify(result)}`);
  return db;
}

/** Row count of a table or view. */
export async function countOf(db: SpineDb<FinraTables>, table: string): Promise<number> {
  const row = await db.kysely
    .selectFrom(table as 'finra_otc_transparency_raw')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every table the pipeline writes to, FINRA's and core's. */
export const PIPELINE_TABLES = [
  'finra_otc_transparency_captures',
  'finra_otc_transparency_raw',
  'finra_otc_transparency_rejects',
  'finra_otc_transparency_weekly_symbol_venue_volume',
  'finra_otc_transparency_symbol_summary',
  'finra_otc_transparency_weekly_symbol_venue_share',
  'finra_otc_transparency_venue_share',
  'finra_otc_transparency_weekly_symbol_venue_concentration_hhi',
  'finra_otc_transparency_symbol_rolling_6w',
  'finra_otc_transparency_research_snapshot',
  'finra_otc_transparency_weekly_symbol_total',
  'finra_otc_transparency_symbol_total_rolling_6w',
  'core_manifest',
  'core_executions',
  'core_load_records',
  'core_quality_checks',
] as const;

/** Row count of every table the pipeline writes to. */
export async function tableCounts(db: SpineDb<FinraTables>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of PIPELINE_TABLES) counts[table] = await countOf(db, table);
  return counts;
}

/** A row trigger planted by a test to inject a fault: raise an error, or run one more statement. */
export interface PlantedTrigger {
  readonly name: string;
  readonly table: string;
  readonly timing: 'BEFORE' | 'AFTER';
  /** The statement it fires on; default INSERT. */
  readonly event?: 'INSERT' | 'DELETE';
  /** Condition on `new.<column>` (`old.<column>` for DELETE), in SQL both dialects accept. */
  readonly when: string;
  /** `{ raise }`: fail the insert with this message; `{ run }`: execute this statement (it may use `new.<column>`). */
  readonly action: { readonly raise: string } | { readonly run: string };
}

/**
 * Creates an `INSERT` (or `DELETE`) row trigger on either dialect (SQLite's trigger syntax,
 * or a PL/pgSQL trigger function on PostgreSQL) and returns how to drop it.
 * Test support only: the product never branches on the dialect.
 */
export async function plantTrigger(db: SpineDb<FinraTables>, trigger: PlantedTrigger): Promise<() => Promise<void>> {
  const exec = (statement: string) => db.executor().exec(statement);
  const body = 'raise' in trigger.action ? null : trigger.action.run;
  const message = 'raise' in trigger.action ? trigger.action.raise.replace(/'/g, "''") : '';
  const event = trigger.event ?? 'INSERT';
  if (db.dialectName === 'sqlite') {
    await exec(`CREATE TRIGGER ${trigger.name} ${trigger.timing} ${event} ON ${trigger.table} WHEN ${trigger.when}
      BEGIN ${body ?? `SELECT RAISE(ABORT, '${message}')`}; END`);
    return () => exec(`DROP TRIGGER ${trigger.name}`);
  }
  await exec(`CREATE FUNCTION ${trigger.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN ${body ?? `RAISE EXCEPTION '${message}'`}; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $fn$`);
  await exec(`CREATE TRIGGER ${trigger.name} ${trigger.timing} ${event} ON ${trigger.table} FOR EACH ROW WHEN (${trigger.when}) EXECUTE FUNCTION ${trigger.name}_fn()`);
  return () => exec(`DROP TRIGGER ${trigger.name} ON ${trigger.table}; DROP FUNCTION ${trigger.name}_fn()`);
}
