import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { CALCS } from '../calcs.js';
import { rollingMetrics } from '../calculations.js';
import type { RollingMetrics, TrendRule, WeeklyTotals } from '../calculations.js';
import { rollingWindow } from '../week.js';
import { symbolTotalPartitionKey } from './api-ingest.js';
import { captureTotals, earlierTotals, totalsBySymbol, writeRollingVersions } from './rolling-rows.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import type { CaptureRef } from './stages.js';

/** The trend rule of each version of `symbol_total_rolling_6w`: v1 is DESIGN.md's first vs last week. */
export const SYMBOL_TOTAL_TREND_RULES: Readonly<Record<string, TrendRule>> = { v1: 'first_vs_last' };

/**
 * Rolling metrics of symbol totals, one symbol at a time: a symbol's window is
 * the weeks among the six ending at the current one that have a record for
 * it. Unlike a week's venue file, which lists every symbol that traded, an API
 * file holds the symbols and weeks it was asked for, so a week without the
 * symbol's record is unknown, not zero.
 *
 * @param history per symbol, its totals by week_ending (the current week included)
 * @param weekEnding the current week
 */
export function symbolTotalRolling(history: ReadonlyMap<string, WeeklyTotals>, weekEnding: string, rule: TrendRule): RollingMetrics[] {
  const window = rollingWindow(weekEnding);
  return [...history]
    .filter(([, weeks]) => weeks.has(weekEnding))
    .flatMap(([symbol, weeks]) => rollingMetrics(window.filter((w) => weeks.has(w)), new Map([[symbol, weeks]]), [symbol], rule));
}

/**
 * The rolling stage of an API capture: six-week averages and trend for each
 * symbol of the capture's week, from `weekly_symbol_total` — earlier weeks
 * through its `*_latest` view (newest capture per week, tier and symbol), the
 * current week from this capture. Writes `symbol_total_rolling_6w` rows of
 * every version that is not deprecated and records ROLLING, in one transaction.
 *
 * @throws SpineError `REGISTRY_INVALID` when a registered version has no trend rule here
 */
export async function rollSymbolTotals(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts> {
  return db.transaction(async (tx) => {
    const current = await captureTotals(tx, 'weekly_symbol_total', capture);
    const previous = await earlierTotals(tx, 'weekly_symbol_total', capture, current.map((r) => r.symbol));
    const history = totalsBySymbol([...previous, ...current]);
    const written = await writeRollingVersions(
      tx,
      'symbol_total_rolling_6w',
      capture,
      execution,
      { byVersion: SYMBOL_TOTAL_TREND_RULES, rulesAt: 'SYMBOL_TOTAL_TREND_RULES (pipeline/symbol-total-rolling.ts)' },
      (rule) => symbolTotalRolling(history, capture.weekEnding, rule),
    );
    const counts = { rowsIn: current.length, rowsOut: written[CALCS.symbol_total_rolling_6w.current] ?? 0, rejected: 0 };
    await completeStage(tx, execution, capture, 'ROLLING', counts, { partitionKey: symbolTotalPartitionKey(capture), metadata: { written } });
    return counts;
  });
}
