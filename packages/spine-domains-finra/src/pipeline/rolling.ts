import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { CALCS, writtenVersions } from '../calcs.js';
import { rollingMetrics } from '../calculations.js';
import type { TrendRule } from '../calculations.js';
import { captureTotals, earlierTotals, totalsBySymbol, writeRollingVersions } from './rolling-rows.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import type { CaptureRef } from './stages.js';

/** The trend rule of each version of `symbol_rolling_6w` (CALCS `version_notes` says why v2 exists). */
export const ROLLING_TREND_RULES: Readonly<Record<string, TrendRule>> = { v1: 'first_vs_last', v2: 'last_vs_prior_mean' };

/**
 * The rolling stage: six-week averages and trend for each symbol of the
 * capture's week. Earlier weeks come from `symbol_summary_latest` (their
 * newest captures); the current week from this capture. Writes
 * `symbol_rolling_6w` rows of every version that is not deprecated
 * ({@link writtenVersions}) and records ROLLING in one transaction; the
 * stage's rows out are those of the current version.
 *
 * @throws SpineError `REGISTRY_INVALID` when a registered version has no trend rule here
 */
export async function rollCapture(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts & { readonly weeksInWindow: number }> {
  return db.transaction(async (tx) => {
    const previous = await earlierTotals(tx, 'symbol_summary', capture);
    const current = await captureTotals(tx, 'symbol_summary', capture);
    const history = totalsBySymbol([...previous, ...current]);
    const loadedWeeks = [...new Set(previous.map((r) => r.week_ending)), capture.weekEnding].sort();
    const written = await writeRollingVersions(tx, 'symbol_rolling_6w', capture, execution, { byVersion: ROLLING_TREND_RULES, rulesAt: 'ROLLING_TREND_RULES (pipeline/rolling.ts)' }, (rule) =>
      rollingMetrics(loadedWeeks, history, current.map((r) => r.symbol), rule),
    );
    const rowsOut = written[CALCS.symbol_rolling_6w.current] ?? 0;
    await completeStage(tx, execution, capture, 'ROLLING', { rowsIn: current.length, rowsOut, rejected: 0 }, { metadata: { loadedWeeks, written } });
    return { rowsIn: current.length, rowsOut, rejected: 0, weeksInWindow: loadedWeeks.length };
  });
}
