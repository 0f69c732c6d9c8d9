import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { runPipeline } from './pipeline/run.js';
import { sampleFiles } from './samples.js';
import type { FinraTables } from './tables.js';
import { migratedDb } from './test-support/finra-db.js';

/** The `*_latest` views FinraTables declares. */
type LatestView = Extract<keyof FinraTables, `${string}_latest`>;

/**
 * Every declared `*_latest` view, once: `satisfies` makes tsc refuse a list
 * that misses one or names one FinraTables does not declare.
 */
const LATEST_VIEWS = Object.keys({
  finra_otc_transparency_raw_latest: true,
  finra_otc_transparency_weekly_symbol_venue_volume_latest: true,
  finra_otc_transparency_symbol_summary_latest: true,
  finra_otc_transparency_weekly_symbol_venue_share_latest: true,
  finra_otc_transparency_venue_share_latest: true,
  finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest: true,
  finra_otc_transparency_symbol_rolling_6w_latest: true,
  finra_otc_transparency_research_snapshot_latest: true,
  finra_otc_transparency_weekly_symbol_venue_volume_v1_latest: true,
  finra_otc_transparency_symbol_summary_v1_latest: true,
  finra_otc_transparency_weekly_symbol_venue_share_v1_latest: true,
  finra_otc_transparency_venue_share_v1_latest: true,
  finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest: true,
  finra_otc_transparency_symbol_rolling_6w_v1_latest: true,
  finra_otc_transparency_symbol_rolling_6w_v2_latest: true,
  finra_otc_transparency_research_snapshot_v1_latest: true,
  finra_otc_transparency_weekly_symbol_total_latest: true,
  finra_otc_transparency_weekly_symbol_total_v1_latest: true,
  finra_otc_transparency_symbol_total_rolling_6w_latest: true,
  finra_otc_transparency_symbol_total_rolling_6w_v1_latest: true,
} satisfies Record<LatestView, true>).sort();

async function columns(db: SpineDb<FinraTables>, name: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${name})`.execute(db.kysely);
  return rows.rows.map((r) => r.name).sort();
}

describe('FinraTables: the Kysely types of the FINRA tables and *_latest views', () => {
  let db: SpineDb<FinraTables>;

  beforeAll(async () => {
    db = await migratedDb();
    const [first] = sampleFiles();
    if (!first) throw new Error('no bundled sample');
    await runPipeline(db, [first]);
  });
  afterAll(async () => db.close());

  it('declares every *_latest view the migrations create, and only those', async () => {
    const views = await sql<{ name: string }>`SELECT name FROM sqlite_schema WHERE type = 'view' AND name LIKE 'finra\\_otc\\_transparency\\_%\\_latest' ESCAPE '\\' ORDER BY name`.execute(db.kysely);
    expect(views.rows.map((r) => r.name).sort()).toEqual(LATEST_VIEWS);
  });

  it('gives each *_latest view the columns of the table it reads (the row type both share)', async () => {
    for (const view of LATEST_VIEWS) {
      const table = view.replace(/(_v\d+)?_latest$/, '');
      expect(await columns(db, view), view).toEqual(await columns(db, table));
    }
  });

  it('types selectFrom of a *_latest view end to end: its name, its columns and their types', async () => {
    const rows = await db.kysely
      .selectFrom('finra_otc_transparency_symbol_summary_latest')
      .select(['symbol', 'week_ending', 'tier', 'total_volume', 'venue_count', 'avg_trade_size'])
      .where('symbol', '=', 'AABB')
      .execute();
    expectTypeOf(rows).toEqualTypeOf<
      { symbol: string; week_ending: string; tier: 'NMS_TIER_1' | 'NMS_TIER_2' | 'OTC'; total_volume: number; venue_count: number; avg_trade_size: number | null }[]
    >();
    // Real figures of week 2025-11-14, OTC (AABB: 6,794,184 shares in 174 trades on 2 venues).
    expect(rows).toEqual([{ symbol: 'AABB', week_ending: '2025-11-14', tier: 'OTC', total_volume: 6794184, venue_count: 2, avg_trade_size: expect.closeTo(6794184 / 174, 2) }]);

    const hhi = await db.kysely
      .selectFrom('finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest')
      .select('hhi')
      .where('symbol', '=', 'AABB')
      .executeTakeFirstOrThrow();
    expectTypeOf(hhi).toEqualTypeOf<{ hhi: number }>();
    expect(hhi.hhi).toBeCloseTo(0.9882034974208129, 12);

    // A view or a column that does not exist does not compile (tsc checks these lines in `pnpm typecheck`).
    // @ts-expect-error no such view
    void db.kysely.selectFrom('finra_otc_transparency_symbol_summary_newest');
    // @ts-expect-error no such column
    void db.kysely.selectFrom('finra_otc_transparency_symbol_summary_latest').select('shares');
  });
});
