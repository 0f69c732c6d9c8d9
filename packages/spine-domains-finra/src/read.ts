import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { CALCS } from './calcs.js';
import type { TierVenueShare } from './calculations.js';
import { API_SOURCE_TYPE } from './pipeline/api-ingest.js';
import { stageRank } from './pipeline/stages.js';
import type { Stage } from './pipeline/stages.js';
import type { FinraTables } from './tables.js';
import type { FinraTier } from './tiers.js';

/**
 * Read API over the `*_latest` views (the current calc version, newest
 * capture of each week). Units: volumes in shares, trades in trades, shares
 * and HHI as fractions 0–1.
 */

/** A (week, tier) as the manifest records it. */
export interface WeekStatus {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  /** Furthest stage reached by the newest capture. */
  readonly stage: Stage;
  readonly captureId: string;
  readonly capturedAt: string;
  readonly captures: number;
  readonly lines: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly symbols: number;
  readonly totalVolume: number | null;
  /** Worst quality status recorded for the newest capture. */
  readonly quality: string | null;
  readonly sourceLocator: string;
}

/** Weeks loaded from venue files by (week, tier), newest week first (API symbol totals: `symbolTotalHistory`). */
export async function listWeeks(db: SpineDb<FinraTables>): Promise<WeekStatus[]> {
  const captures = await db.kysely
    .selectFrom('finra_otc_transparency_captures as c')
    .selectAll('c')
    // Venue files only: API symbol totals are listed by symbolTotalHistory (read-symbol-totals.ts).
    .where('c.source_type', '<>', API_SOURCE_TYPE)
    .orderBy('c.week_ending', 'desc')
    .orderBy('c.tier')
    .orderBy('c.captured_at', 'desc')
    .orderBy('c.capture_id', 'desc')
    .execute();
  const out: WeekStatus[] = [];
  const seen = new Set<string>();
  for (const capture of captures) {
    const key = `${capture.week_ending}|${capture.tier}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const stage = capture.stage;
    // Accepted rows: venue rows once normalized, raw rows before.
    const acceptedTable = stageRank(stage) >= stageRank('NORMALIZED') ? 'finra_otc_transparency_weekly_symbol_venue_volume' : 'finra_otc_transparency_raw';
    const counts = await sql<{ accepted: number; rejected: number; symbols: number; volume: number | null; quality: string | null }>`
      SELECT
        (SELECT count(*) FROM ${sql.table(acceptedTable)} WHERE capture_id = ${capture.capture_id}) AS accepted,
        (SELECT count(*) FROM finra_otc_transparency_rejects WHERE capture_id = ${capture.capture_id}) AS rejected,
        (SELECT count(*) FROM finra_otc_transparency_symbol_summary WHERE capture_id = ${capture.capture_id}) AS symbols,
        (SELECT sum(total_volume) FROM finra_otc_transparency_symbol_summary WHERE capture_id = ${capture.capture_id}) AS volume,
        (SELECT status FROM core_quality_checks WHERE capture_id = ${capture.capture_id}
           ORDER BY CASE status WHEN 'ERROR' THEN 3 WHEN 'FAIL' THEN 2 WHEN 'WARN' THEN 1 ELSE 0 END DESC LIMIT 1) AS quality`.execute(db.kysely);
    const c = counts.rows[0];
    out.push({
      weekEnding: capture.week_ending,
      tier: capture.tier,
      stage,
      captureId: capture.capture_id,
      capturedAt: capture.captured_at,
      captures: captures.filter((x) => x.week_ending === capture.week_ending && x.tier === capture.tier).length,
      lines: capture.lines_total,
      accepted: Number(c?.accepted ?? 0),
      rejected: Number(c?.rejected ?? 0),
      symbols: Number(c?.symbols ?? 0),
      totalVolume: c?.volume === null || c?.volume === undefined ? null : Number(c.volume),
      quality: c?.quality ?? null,
      sourceLocator: capture.source_locator,
    });
  }
  return out;
}

/** One week of a symbol: volume, venues, concentration and rolling metrics. */
export interface SymbolWeek {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  readonly totalVolume: number;
  readonly totalTrades: number;
  readonly venueCount: number;
  readonly avgTradeSize: number | null;
  readonly hhi: number | null;
  readonly avg6wVolume: number | null;
  readonly trendDirection: string | null;
  readonly trendPct: string | null;
  readonly weeksInWindow: number | null;
  readonly topVenue: string | null;
  readonly topVenueShare: number | null;
}

/**
 * A symbol's weeks, oldest first (latest captures only). The symbol is a
 * bound value: any text is safe, unknown symbols give an empty list.
 */
export async function symbolHistory(db: SpineDb<FinraTables>, symbol: string, options: { tier?: FinraTier } = {}): Promise<SymbolWeek[]> {
  let query = db.kysely
    .selectFrom('finra_otc_transparency_symbol_summary_latest as s')
    .leftJoin('finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest as h', (j) =>
      j.onRef('h.week_ending', '=', 's.week_ending').onRef('h.tier', '=', 's.tier').onRef('h.symbol', '=', 's.symbol'),
    )
    .leftJoin('finra_otc_transparency_symbol_rolling_6w_latest as r', (j) =>
      j.onRef('r.week_ending', '=', 's.week_ending').onRef('r.tier', '=', 's.tier').onRef('r.symbol', '=', 's.symbol'),
    )
    .select([
      's.week_ending',
      's.tier',
      's.total_volume',
      's.total_trades',
      's.venue_count',
      's.avg_trade_size',
      'h.hhi',
      'r.avg_6w_volume',
      'r.trend_direction',
      'r.trend_pct',
      'r.weeks_in_window',
    ])
    .where('s.symbol', '=', symbol);
  if (options.tier) query = query.where('s.tier', '=', options.tier);
  const rows = await query.orderBy('s.week_ending').orderBy('s.tier').execute();
  const tops = await db.kysely
    .selectFrom('finra_otc_transparency_weekly_symbol_venue_share_latest')
    .select(['week_ending', 'tier', 'mpid', 'venue_share'])
    .where('symbol', '=', symbol)
    .where('venue_rank', '=', 1)
    .orderBy('mpid')
    .execute();
  return rows.map((r) => {
    const top = tops.find((t) => t.week_ending === r.week_ending && t.tier === r.tier);
    return {
      weekEnding: r.week_ending,
      tier: r.tier,
      totalVolume: r.total_volume,
      totalTrades: r.total_trades,
      venueCount: r.venue_count,
      avgTradeSize: r.avg_trade_size,
      hhi: r.hhi,
      avg6wVolume: r.avg_6w_volume,
      trendDirection: r.trend_direction,
      trendPct: r.trend_pct,
      weeksInWindow: r.weeks_in_window,
      topVenue: top?.mpid ?? null,
      topVenueShare: top?.venue_share ?? null,
    };
  });
}

/** Tier-wide venue ranking for one week (latest capture), best first. */
export async function venueRanking(db: SpineDb<FinraTables>, weekEnding: string, tier: FinraTier): Promise<TierVenueShare[]> {
  const rows = await db.kysely
    .selectFrom(`${CALCS.venue_market_share.table}_latest` as 'finra_otc_transparency_venue_share_latest')
    .select(['rank', 'mpid', 'market_participant_name', 'total_volume', 'total_trades', 'symbol_count', 'market_share'])
    .where('week_ending', '=', weekEnding)
    .where('tier', '=', tier)
    .orderBy('rank')
    .orderBy('mpid')
    .execute();
  return rows.map((r) => ({
    rank: r.rank,
    mpid: r.mpid,
    participantName: r.market_participant_name,
    totalVolume: r.total_volume,
    totalTrades: r.total_trades,
    symbolCount: r.symbol_count,
    marketShare: r.market_share,
  }));
}

/** Rejects of a capture by reason code (seed 001 codes), most frequent first. */
export async function rejectCounts(db: SpineDb<FinraTables>, captureId: string): Promise<{ reasonCode: string; count: number }[]> {
  const rows = await db.kysely
    .selectFrom('finra_otc_transparency_rejects')
    .select((eb) => ['reason_code', eb.fn.countAll<number>().as('n')])
    .where('capture_id', '=', captureId)
    .groupBy('reason_code')
    .orderBy('n', 'desc')
    .orderBy('reason_code')
    .execute();
  return rows.map((r) => ({ reasonCode: r.reason_code, count: Number(r.n) }));
}
