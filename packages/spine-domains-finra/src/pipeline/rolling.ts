import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { CALCS } from '../calcs.js';
import { rollingMetrics } from '../calculations.js';
import type { WeeklyTotals } from '../calculations.js';
import { rollingWindow } from '../week.js';
import { insertCalcRows } from './calc-rows.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import { captureScope } from './stages.js';
import type { CaptureRef } from './stages.js';

/**
 * The rolling stage: six-week averages and trend for each symbol of the
 * capture's week. Earlier weeks come from `symbol_summary_latest` (their
 * newest captures); the current week from this capture. Writes
 * `symbol_rolling_6w` rows and records ROLLING in one transaction.
 */
export async function rollCapture(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts & { readonly weeksInWindow: number }> {
  return db.transaction(async (tx) => {
    const window = rollingWindow(capture.weekEnding);
    const earlier = window.slice(0, -1);
    const summaryCalc = CALCS.symbol_summary;
    const previous = await tx.kysely
      .selectFrom(`${summaryCalc.table}_latest`)
      .select(['week_ending', 'symbol', 'total_volume', 'total_trades'])
      .where('tier', '=', capture.tier)
      .where('week_ending', 'in', earlier)
      .execute();
    const current = await tx.kysely
      .selectFrom(summaryCalc.table)
      .select(['week_ending', 'symbol', 'total_volume', 'total_trades'])
      .where((eb) => eb.and(captureScope(capture)))
      .where('calc_name', '=', 'symbol_summary')
      .where('calc_version', '=', summaryCalc.current)
      .execute();

    const history = new Map<string, Map<string, { volume: number; trades: number }>>();
    for (const row of [...previous, ...current]) {
      let weeks = history.get(row.symbol);
      if (!weeks) history.set(row.symbol, (weeks = new Map()));
      weeks.set(row.week_ending, { volume: row.total_volume, trades: row.total_trades });
    }
    const loadedWeeks = [...new Set(previous.map((r) => r.week_ending as string)), capture.weekEnding].sort();
    const metrics = rollingMetrics(loadedWeeks, history as ReadonlyMap<string, WeeklyTotals>, current.map((r) => r.symbol as string));
    const written = await insertCalcRows(
      tx,
      'symbol_rolling_6w',
      capture,
      execution,
      ['symbol', 'window_start', 'avg_6w_volume', 'avg_6w_trades', 'trend_direction', 'trend_pct', 'weeks_in_window', 'is_complete_window'],
      metrics.map((m) => [m.symbol, m.windowStart, m.avg6wVolume, m.avg6wTrades, m.trendDirection, m.trendPct, m.weeksInWindow, m.isCompleteWindow ? 1 : 0]),
    );
    await completeStage(tx, execution, capture, 'ROLLING', { rowsIn: current.length, rowsOut: written, rejected: 0 }, { metadata: { loadedWeeks } });
    return { rowsIn: current.length, rowsOut: written, rejected: 0, weeksInWindow: loadedWeeks.length };
  });
}
