import { ErrorCode, SpineError } from '@market-spine/core';
import type { ExecutionContext, SqlExecutor } from '@market-spine/core';
import { CALCS, latestView, writtenVersions } from '../calcs.js';
import type { RollingMetrics, TrendRule, WeeklyTotals } from '../calculations.js';
import { rollingWindow } from '../week.js';
import { insertCalcRows } from './calc-rows.js';
import { captureScope } from './stages.js';
import type { CaptureRef } from './stages.js';

/** The weekly totals calculations a rolling stage reads. */
type TotalsCalc = 'symbol_summary' | 'weekly_symbol_total';

const TOTALS_COLUMNS = ['week_ending', 'symbol', 'total_volume', 'total_trades'] as const;

/** A symbol's shares and trades in one week, as a rolling stage reads them. */
export interface TotalsRow {
  readonly week_ending: string;
  readonly symbol: string;
  /** Shares. */
  readonly total_volume: number;
  /** Trades. */
  readonly total_trades: number;
}

/** The capture's own rows of the current version of a weekly totals calculation. */
export function captureTotals(tx: SqlExecutor, calcName: TotalsCalc, capture: CaptureRef): Promise<TotalsRow[]> {
  const calc = CALCS[calcName];
  return tx.kysely
    .selectFrom(calc.table)
    .select([...TOTALS_COLUMNS])
    .where((eb) => eb.and(captureScope(capture)))
    .where('calc_name', '=', calcName)
    .where('calc_version', '=', calc.current)
    .execute();
}

/**
 * The rows of the rolling window's weeks before the capture's, in its tier,
 * from the calculation's `*_latest` view (newest capture of each week).
 *
 * @param symbols only these symbols (none: no rows); every symbol when absent
 */
export async function earlierTotals(tx: SqlExecutor, calcName: TotalsCalc, capture: CaptureRef, symbols?: readonly string[]): Promise<TotalsRow[]> {
  if (symbols?.length === 0) return [];
  let query = tx.kysely
    .selectFrom(latestView(CALCS[calcName]))
    .select([...TOTALS_COLUMNS])
    .where('tier', '=', capture.tier)
    .where('week_ending', 'in', rollingWindow(capture.weekEnding).slice(0, -1));
  if (symbols !== undefined) query = query.where('symbol', 'in', symbols);
  return query.execute();
}

/** Totals rows by symbol, then week ending; of two rows of the same (symbol, week) the later one counts. */
export function totalsBySymbol(rows: readonly TotalsRow[]): Map<string, WeeklyTotals> {
  const history = new Map<string, Map<string, { volume: number; trades: number }>>();
  for (const row of rows) {
    let weeks = history.get(row.symbol);
    if (!weeks) history.set(row.symbol, (weeks = new Map()));
    weeks.set(row.week_ending, { volume: Number(row.total_volume), trades: Number(row.total_trades) });
  }
  return history;
}

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
