import { ErrorCode, SpineError } from '@market-spine/core';
import type { ExecutionContext, SqlExecutor } from '@market-spine/core';
import { CALCS, writtenVersions } from '../calcs.js';
import type { RollingMetrics, TrendRule } from '../calculations.js';
import { insertCalcRows } from './calc-rows.js';
import type { CaptureRef } from './stages.js';

const ROLLING_COLUMNS = ['symbol', 'window_start', 'avg_6w_volume', 'avg_6w_trades', 'trend_direction', 'trend_pct', 'weeks_in_window', 'is_complete_window'] as const;

/**
 * Writes a rolling calculation's rows for a capture, one set per version that
 * is not deprecated, each computed with that version's trend rule.
 *
 * @param rules the trend rule of each version; `rulesAt` names where they are defined, for the error
 * @param metricsFor the metrics of the capture's symbols under a rule
 * @returns rows written per version
 * @throws SpineError `REGISTRY_INVALID` when a registered version has no trend rule
 */
export async function writeRollingVersions(
  tx: SqlExecutor,
  calcName: 'symbol_rolling_6w' | 'symbol_total_rolling_6w',
  capture: CaptureRef,
  execution: ExecutionContext,
  rules: { readonly byVersion: Readonly<Record<string, TrendRule>>; readonly rulesAt: string },
  metricsFor: (rule: TrendRule) => readonly RollingMetrics[],
): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  for (const version of writtenVersions(CALCS[calcName])) {
    const rule = rules.byVersion[version];
    if (rule === undefined) {
      throw new SpineError(ErrorCode.REGISTRY_INVALID, `CALCS lists ${calcName} ${version}, but its rolling stage has no trend rule for it.`, {
        hint: `Add the version to ${rules.rulesAt}, or deprecate it in the registry.`,
      });
    }
    const rows = metricsFor(rule).map((m) => [m.symbol, m.windowStart, m.avg6wVolume, m.avg6wTrades, m.trendDirection, m.trendPct, m.weeksInWindow, m.isCompleteWindow ? 1 : 0]);
    written[version] = await insertCalcRows(tx, calcName, capture, execution, ROLLING_COLUMNS, rows, version);
  }
  return written;
}
