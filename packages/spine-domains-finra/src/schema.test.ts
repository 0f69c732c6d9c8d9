import { sql } from 'kysely';
import { validateRow } from '@market-spine/quality';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpineDb } from '@market-spine/core';
import { VENUE_ROW_RULES } from './pipeline/normalize.js';
import type { FinraTables } from './tables.js';
import { migratedDb } from './test-support/finra-db.js';

describe('the FINRA schema', () => {
  let db: SpineDb<FinraTables>;
  beforeAll(async () => {
    db = await migratedDb();
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
    await expect(insertVenue(values)).rejects.toThrow(/CHECK constraint failed/);
  });

  it('accepts the rows the rules accept, including FINRA-style symbols', async () => {
    for (const symbol of ['BRK.B', 'BF/A', 'AAPL', 'X1-Y']) {
      expect(validateRow(VENUE_ROW_RULES, { symbol, mpid: 'UBSA', total_volume: 5, trade_count: 0 }).ok).toBe(true);
      await insertVenue({ symbol, mpid: 'UBSA', total_volume: 5, trade_count: 0 });
    }
  });

  it('refuses a week_ending that is not an ISO date and an HHI above 1', async () => {
    await expect(insertVenue({ week_ending: '11/14/2025' })).rejects.toThrow(/CHECK constraint failed/);
    await expect(
      db.executor().exec(`INSERT INTO finra_otc_transparency_weekly_symbol_venue_concentration_hhi (week_ending, tier, symbol, venue_count, total_volume, hhi, calc_name, calc_version, capture_id, captured_at, execution_id, calculated_at)
        VALUES ('2025-11-14', 'OTC', 'AABB', 1, 10, 1.5, 'venue_concentration_hhi', 'v1', 'cap', 'x', 'e', 'x')`),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  it('serves *_latest lookups of a symbol from indexes (EXPLAIN QUERY PLAN)', async () => {
    const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT * FROM finra_otc_transparency_symbol_summary_latest WHERE symbol = ${'AABB'}`.execute(db.kysely);
    const details = plan.rows.map((r) => r.detail);
    expect(details.some((d) => /SEARCH t USING INDEX idx_fotc_sym_sum_symbol/.test(d))).toBe(true);
    expect(details.some((d) => /SEARCH c USING (COVERING )?INDEX idx_fotc_sym_sum_latest/.test(d))).toBe(true);
    expect(details.some((d) => /^SCAN/.test(d))).toBe(false);
  });
});
