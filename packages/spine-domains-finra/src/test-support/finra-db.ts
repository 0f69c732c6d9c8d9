import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { finraMigrationSource } from '../migration-source.js';
import type { FinraTables } from '../tables.js';

/** A temporary directory for one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'spine-finra-'));
}

/** A database with core's and this package's migrations applied (in memory unless a path is given). */
export async function migratedDb(path = ':memory:'): Promise<SpineDb<FinraTables>> {
  const db = await openSpineDb<FinraTables>(path);
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
