import type { SpineDb } from '@market-spine/core';
import type { FinraTables } from './tables.js';
import type { FinraTier } from './tiers.js';

/**
 * One week of a symbol's FINRA totals (Query API ATS_W_SMBL records) with its
 * rolling 6-week metrics, newest capture of the (week, tier, symbol). Units:
 * volumes in shares, trades in trades, notional in USD (exact decimal string),
 * dates `YYYY-MM-DD`.
 */
export interface SymbolTotalWeek {
  readonly weekEnding: string;
  /** FINRA weekStartDate, the Monday. */
  readonly weekStartDate: string;
  readonly tier: FinraTier;
  readonly totalVolume: number;
  readonly totalTrades: number;
  /** Shares per trade; null without trades. */
  readonly avgTradeSize: number | null;
  readonly totalNotional: string | null;
  /** FINRA initialPublishedDate (source clock of the first publication). */
  readonly initialPublishedDate: string;
  /** FINRA lastUpdateDate (source clock of the values shown). */
  readonly lastUpdateDate: string;
  /** FINRA revised the week after first publishing it. */
  readonly isRevision: boolean;
  readonly captureId: string;
  /** Rolling 6-week figures (null when the rolling stage has not run for the week). */
  readonly avg6wVolume: number | null;
  readonly avg6wTrades: number | null;
  readonly trendDirection: 'UP' | 'DOWN' | 'FLAT' | null;
  /** Percent, decimal string. */
  readonly trendPct: string | null;
  /** Weeks of the window with a record for the symbol (1–6). */
  readonly weeksInWindow: number | null;
}

/**
 * A symbol's weekly FINRA totals, oldest first, from the `*_latest` views of
 * `weekly_symbol_total` and `symbol_total_rolling_6w`. These are loaded from
 * Query API files (`ingestApiRecords`); `symbolHistory` reads the venue files'
 * weeks. The symbol is a bound value; an unknown one gives an empty list.
 */
export async function symbolTotalHistory(db: SpineDb<FinraTables>, symbol: string, options: { tier?: FinraTier } = {}): Promise<SymbolTotalWeek[]> {
  let query = db.kysely
    .selectFrom('finra_otc_transparency_weekly_symbol_total_latest as t')
    .leftJoin('finra_otc_transparency_symbol_total_rolling_6w_latest as r', (j) =>
      j.onRef('r.week_ending', '=', 't.week_ending').onRef('r.tier', '=', 't.tier').onRef('r.symbol', '=', 't.symbol'),
    )
    .select([
      't.week_ending',
      't.week_start_date',
      't.tier',
      't.total_volume',
      't.total_trades',
      't.avg_trade_size',
      't.total_notional',
      't.initial_published_date',
      't.source_last_update_date',
      't.is_revision',
      't.capture_id',
      'r.avg_6w_volume',
      'r.avg_6w_trades',
      'r.trend_direction',
      'r.trend_pct',
      'r.weeks_in_window',
    ])
    .where('t.symbol', '=', symbol);
  if (options.tier) query = query.where('t.tier', '=', options.tier);
  const rows = await query.orderBy('t.week_ending').orderBy('t.tier').execute();
  return rows.map((r) => ({
    weekEnding: r.week_ending,
    weekStartDate: r.week_start_date,
    tier: r.tier,
    totalVolume: r.total_volume,
    totalTrades: r.total_trades,
    avgTradeSize: r.avg_trade_size,
    totalNotional: r.total_notional,
    initialPublishedDate: r.initial_published_date,
    lastUpdateDate: r.source_last_update_date,
    isRevision: r.is_revision === 1,
    captureId: r.capture_id,
    avg6wVolume: r.avg_6w_volume,
    avg6wTrades: r.avg_6w_trades,
    trendDirection: r.trend_direction,
    trendPct: r.trend_pct,
    weeksInWindow: r.weeks_in_window,
  }));
}
