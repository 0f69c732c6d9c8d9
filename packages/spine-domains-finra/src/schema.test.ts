import { sql } from 'kysely';
import { validateRow } from '@market-spine/quality';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpineDb } from '@market-spine/core';
import { VENUE_ROW_RULES } from './pipeline/normalize.js';
import type { FinraTables } from './tables.js';
import { migratedDb } from './test-support/finra-db.js';
import { testDialects } from '@market-spine/core/testing';

/** A CHECK constraint, or PostgreSQL's DATE type, refusing a row. */
const REFUSED = /CHECK constraint failed|violates check constraint|invalid input syntax for type date/;

/**
 * The plan of one symbol's history from symbol_summary_latest: SQLite's
 * EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN lines. On PostgreSQL the
 * tables are tiny, so sequential scans are priced out for the question asked
 * here: can an index serve the lookup (the benchmark shows the real plan at 5 million rows).
 */
async function explainSymbolLookup(db: SpineDb<FinraTables>): Promise<string[]> {
  const lookup = sql`SELECT * FROM finra_otc_transparency_symbol_summary_latest WHERE symbol = ${'AABB'}`;
  if (db.dialectName === 'sqlite') {
    const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${lookup}`.execute(db.kysely);
    return plan.rows.map((r) => r.detail);
  }
  return db.kysely.transaction().execute(async (tx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(tx);
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${lookup}`.execute(tx);
    return plan.rows.map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, ''));
  });
}

for (const dialect of testDialects()) {
  describe(`the FINRA schema on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    beforeAll(async () => {
      db = await migratedDb(dialect);
      await db.executor().exec(`INSERT INTO finra_otc_transparency_captures
        (capture_id, week_ending, tier, week_ending_source, load_id, source_type, source_locator, source_sha256, source_bytes, source_format, lines_total, captured_at, execution_id)
        VALUES ('cap', '2025-11-14', 'OTC', 'derived', 'load', 'file', 'f', 'sha', 1, 'finra_website_export', 1, '2026-01-01T00:00:00.000Z', 'exe')`);
    });
    afterAll(async () => db.close());

    const insertVenue = (values: { symbol?: string; mpid?: string; total_volume?: number; trade_count?: number; week_ending?: string }) =>
      db.kysely
        .insertInto('finra_otc_transparency_weekly_symbol_venue_volume')
        .values({
          week_ending: values.week_ending ?? '2025-11-14',
          tier: 'OTC',
          symbol: values.symbol ?? 'AABB',
          mpid: values.mpid ?? 'OTCN',
          issue_name: null,
          market_participant_name: null,
          total_volume: values.total_volume ?? 10,
          trade_count: values.trade_count ?? 1,
          source_last_update_date: null,
          calc_name: 'weekly_symbol_venue_volume',
          calc_version: `t${Math.random()}`,
          capture_id: 'cap',
          captured_at: '2026-01-01T00:00:00.000Z',
          execution_id: 'exe',
          batch_id: null,
          calculated_at: '2026-01-01T00:00:00.000Z',
        })
        .execute();

    // The row rules refuse a row before insert with the same rule the CHECK constraints enforce.
    it.each([
      [{ symbol: 'aabb' }, 'INVALID_SYMBOL'],
      [{ symbol: '' }, 'INVALID_SYMBOL'],
      [{ symbol: '.AB' }, 'INVALID_SYMBOL'],
      [{ symbol: 'ABCDEFGHIJKLMNOPQ' }, 'INVALID_SYMBOL'],
      [{ mpid: 'OTC' }, 'INVALID_MPID'],
      [{ mpid: 'otcn' }, 'INVALID_MPID'],
      [{ total_volume: -1 }, 'NEGATIVE_VOLUME'],
      [{ trade_count: -1 }, 'NEGATIVE_TRADES'],
    ])('CHECK constraints and row rules agree on %j (%s)', async (values, code) => {
      const row = { symbol: 'AABB', mpid: 'OTCN', total_volume: 10, trade_count: 1, ...values };
      const verdict = validateRow(VENUE_ROW_RULES, row);
      expect(verdict.ok ? undefined : verdict.violations[0]?.code).toBe(code);
      await expect(insertVenue(values)).rejects.toThrow(REFUSED);
    });

    it('accepts the rows the rules accept, including FINRA-style symbols', async () => {
      for (const symbol of ['BRK.B', 'BF/A', 'AAPL', 'X1-Y']) {
        expect(validateRow(VENUE_ROW_RULES, { symbol, mpid: 'UBSA', total_volume: 5, trade_count: 0 }).ok).toBe(true);
        await insertVenue({ symbol, mpid: 'UBSA', total_volume: 5, trade_count: 0 });
      }
    });

    it('refuses a week_ending that is not an ISO date and an HHI above 1', async () => {
      // Not '11/14/2025': PostgreSQL's DATE reads that as 14 November (DateStyle MDY); the pipeline only ever writes ISO dates.
      await expect(insertVenue({ week_ending: '2025-11-xx' })).rejects.toThrow(REFUSED);
      await expect(
        db.executor().exec(`INSERT INTO finra_otc_transparency_weekly_symbol_venue_concentration_hhi (week_ending, tier, symbol, venue_count, total_volume, hhi, calc_name, calc_version, capture_id, captured_at, execution_id, calculated_at)
          VALUES ('2025-11-14', 'OTC', 'AABB', 1, 10, 1.5, 'venue_concentration_hhi', 'v1', 'cap', '2026-01-01T00:00:00.000Z', 'e', '2026-01-01T00:00:00.000Z')`),
      ).rejects.toThrow(REFUSED);
    });

    it('serves *_latest lookups of a symbol from indexes (EXPLAIN)', async () => {
      const plan = await explainSymbolLookup(db);
      expect(plan.some((line) => /idx_fotc_sym_sum_symbol/.test(line))).toBe(true);
      expect(plan.some((line) => /idx_fotc_sym_sum_latest/.test(line))).toBe(true);
      // No full pass over the summary table (SQLite "SCAN t", PostgreSQL "Seq Scan on …summary").
      expect(plan.some((line) => /^SCAN|Seq Scan on finra_otc_transparency_symbol_summary\b/.test(line))).toBe(false);
    });
  });
}
