import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_API_FILE, sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { PIPELINE_TABLES, migratedDb } from '../test-support/finra-db.js';
import { ingestApiRecords } from './api-run.js';
import { runPipeline } from './run.js';

/** The *_latest views analysts read, compared like the tables. */
const LATEST_VIEWS = [
  'finra_otc_transparency_raw_latest',
  'finra_otc_transparency_weekly_symbol_venue_volume_latest',
  'finra_otc_transparency_symbol_summary_latest',
  'finra_otc_transparency_weekly_symbol_venue_share_latest',
  'finra_otc_transparency_venue_share_latest',
  'finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest',
  'finra_otc_transparency_symbol_rolling_6w_latest',
  'finra_otc_transparency_research_snapshot_latest',
  // Version views (0009): v2's own logic, and the view whose name PostgreSQL truncates; the
  // other v1 views hold the rows of their *_latest on each dialect (calc-versions.test.ts).
  'finra_otc_transparency_symbol_rolling_6w_v2_latest',
  'finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest',
  // FINRA Query API symbol totals (0010), newest capture per (week, tier, symbol).
  'finra_otc_transparency_weekly_symbol_total_latest',
  'finra_otc_transparency_symbol_total_rolling_6w_latest',
] as const;

/**
 * Columns that differ between two runs by design, not by figures: generated
 * ids (ULIDs, identity keys) and wall-clock instants and durations.
 */
const RUN_SPECIFIC = /(^|_)id$|_at$|_ms$/;

/** JSON columns: PostgreSQL's JSONB re-spaces and re-orders keys, so they compare parsed (keys sorted), without run-specific keys. */
function normalise(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[[{]/.test(value)) return value;
  try {
    return stripRunSpecific(JSON.parse(value));
  } catch {
    return value;
  }
}

function stripRunSpecific(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRunSpecific);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([key]) => !RUN_SPECIFIC.test(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)))
      .map(([key, inner]) => [key, stripRunSpecific(inner)]),
  );
}

/** A table's rows without run-specific columns, normalised and sorted, as comparable text. */
async function comparableRows(db: SpineDb<FinraTables>, table: string): Promise<{ columns: string[]; rows: string[] }> {
  const columns = (await db.dialect.introspector.columns(db.executor(), table)).map((c) => c.name).filter((c) => !RUN_SPECIFIC.test(c));
  const result = await sql<Record<string, unknown>>`SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM ${sql.table(table)}`.execute(db.kysely);
  const rows = result.rows.map((row) => JSON.stringify(columns.map((c) => normalise(row[c])))).sort();
  return { columns, rows };
}

const [sqlite, postgres] = testDialects();

describe(`the same samples (venue files and the API file) through the pipeline on SQLite and on PostgreSQL (${postgres?.backend})`, () => {
  let onSqlite: SpineDb<FinraTables>;
  let onPostgres: SpineDb<FinraTables>;

  beforeAll(async () => {
    if (!sqlite || !postgres) throw new Error('testDialects() must list SQLite and PostgreSQL');
    onSqlite = await migratedDb(sqlite);
    onPostgres = await migratedDb(postgres);
    const files = sampleFiles();
    const reports = [await runPipeline(onSqlite, files), await runPipeline(onPostgres, files)];
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok']);
    // And the real API file of symbol totals (AAPL, BRK.B; 248 weeks), a grain of its own.
    const api = [await ingestApiRecords(onSqlite, SAMPLE_API_FILE), await ingestApiRecords(onPostgres, SAMPLE_API_FILE)];
    expect(api.map((r) => r.status)).toEqual(['loaded', 'loaded']);
  });
  afterAll(closeTestDatabases);

  it.each([...PIPELINE_TABLES, ...LATEST_VIEWS])('%s holds the same rows on both', async (table) => {
    const [left, right] = [await comparableRows(onSqlite, table), await comparableRows(onPostgres, table)];
    expect(right.columns).toEqual(left.columns);
    expect(left.rows.length).toBeGreaterThan(0);
    expect(right.rows.length).toBe(left.rows.length);
    // Compare in slices so that a difference is printed as the few rows that differ.
    const differing = left.rows.filter((row, i) => row !== right.rows[i]);
    expect(differing.slice(0, 5)).toEqual([]);
  });
});
