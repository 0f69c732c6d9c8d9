import { defineChecks } from '@market-spine/quality';
import type { QualityCheck } from '@market-spine/quality';
import { CALCS } from '../calcs.js';
import type { Stage } from './stages.js';

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
