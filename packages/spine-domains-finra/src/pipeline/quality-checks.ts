import type { SqlExecutor } from '@market-spine/core';
import { defineChecks, runChecks, worstStatus } from '@market-spine/quality';
import type { QualityCheck, QualityResult, QualityRun } from '@market-spine/quality';
import { CALCS } from '../calcs.js';
import { captureScope } from './stages.js';
import type { CaptureRef, Stage } from './stages.js';

/** Tolerance of the market-share sums: 99.9 %–100.1 % (seed 001 `market_share_sum_100`). */
export const SHARE_SUM_TOLERANCE = 0.001;

/**
 * The quality checks run after each stage, scoped to the capture being
 * processed (seed 001 "Quality Check Names"). A FAIL stops the (week, tier)
 * before its next stage; `rolling_window_complete` only warns, because a
 * short history (fewer than six loaded weeks) is expected, not an error.
 */
export const STAGE_CHECKS: Readonly<Partial<Record<Stage, readonly QualityCheck[]>>> = {
  NORMALIZED: defineChecks([
    { name: 'no_negative_volumes', kind: 'non_negative', category: 'INTEGRITY', table: CALCS.weekly_symbol_venue_volume.table, column: 'total_volume', sampleKeyColumns: ['symbol', 'mpid'] },
    { name: 'no_negative_trades', kind: 'non_negative', category: 'INTEGRITY', table: CALCS.weekly_symbol_venue_volume.table, column: 'trade_count', sampleKeyColumns: ['symbol', 'mpid'] },
    { name: 'no_duplicate_natural_keys', kind: 'unique', category: 'INTEGRITY', table: CALCS.weekly_symbol_venue_volume.table, columns: ['week_ending', 'tier', 'symbol', 'mpid'], sampleKeyColumns: ['symbol', 'mpid'] },
    { name: 'symbol_count_positive', kind: 'row_count', category: 'COMPLETENESS', table: CALCS.weekly_symbol_venue_volume.table, distinct: 'symbol', min: 1 },
    { name: 'venue_count_positive', kind: 'row_count', category: 'COMPLETENESS', table: CALCS.weekly_symbol_venue_volume.table, distinct: 'mpid', min: 1 },
  ]),
  AGGREGATED: defineChecks([
    { name: 'market_share_sum_100', kind: 'sum_to', category: 'BUSINESS_RULE', table: CALCS.venue_market_share.table, column: 'market_share', groupBy: [], target: 1, tolerance: SHARE_SUM_TOLERANCE },
    { name: 'symbol_venue_share_sum_100', kind: 'sum_to', category: 'BUSINESS_RULE', table: CALCS.weekly_symbol_venue_share.table, column: 'venue_share', groupBy: ['symbol'], target: 1, tolerance: SHARE_SUM_TOLERANCE },
  ]),
  ROLLING: defineChecks([
    { name: 'rolling_window_complete', kind: 'completeness', category: 'COMPLETENESS', severity: 'WARN', table: CALCS.symbol_rolling_6w.table, column: 'weeks_in_window', min: 6, sampleKeyColumns: ['symbol'] },
  ]),
};

/**
 * The checks of a FINRA Query API capture (symbol totals), seed 001's names on
 * `weekly_symbol_total` and `symbol_total_rolling_6w`. There is no venue count
 * or market share to check: the records carry no venue.
 */
export const SYMBOL_TOTAL_STAGE_CHECKS: Readonly<Partial<Record<Stage, readonly QualityCheck[]>>> = {
  NORMALIZED: defineChecks([
    { name: 'no_negative_volumes', kind: 'non_negative', category: 'INTEGRITY', table: CALCS.weekly_symbol_total.table, column: 'total_volume', sampleKeyColumns: ['symbol'] },
    { name: 'no_negative_trades', kind: 'non_negative', category: 'INTEGRITY', table: CALCS.weekly_symbol_total.table, column: 'total_trades', sampleKeyColumns: ['symbol'] },
    { name: 'no_duplicate_natural_keys', kind: 'unique', category: 'INTEGRITY', table: CALCS.weekly_symbol_total.table, columns: ['week_ending', 'tier', 'symbol'], sampleKeyColumns: ['symbol'] },
    { name: 'symbol_count_positive', kind: 'row_count', category: 'COMPLETENESS', table: CALCS.weekly_symbol_total.table, distinct: 'symbol', min: 1 },
  ]),
  ROLLING: defineChecks([
    { name: 'rolling_window_complete', kind: 'completeness', category: 'COMPLETENESS', severity: 'WARN', table: CALCS.symbol_total_rolling_6w.table, column: 'weeks_in_window', min: 6, sampleKeyColumns: ['symbol'] },
  ]),
};

/** Equality filters selecting the current version's rows of the calculation that owns `table`; none for other tables. */
function currentVersionScope(table: string): Record<string, string> {
  const owner = Object.entries(CALCS).find(([, calc]) => calc.table === table);
  return owner ? { calc_name: owner[0], calc_version: owner[1].current } : {};
}

/**
 * Runs a stage's checks on one capture, each on the rows of the current
 * version of the calculation whose table it checks: where several versions
 * are written (symbol_rolling_6w v1 and v2) a row must not count once per
 * version, and the current version is the one later stages read.
 */
export async function runStageChecks(executor: SqlExecutor, checks: readonly QualityCheck[], capture: CaptureRef): Promise<QualityRun> {
  const results: QualityResult[] = [];
  for (const check of checks) {
    const run = await runChecks(executor, [check], { where: { ...captureScope(capture), ...currentVersionScope(check.table) } });
    results.push(...run.results);
  }
  return { status: worstStatus(results.map((r) => r.status)), results };
}
