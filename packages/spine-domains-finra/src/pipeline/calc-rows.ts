import { nowIso } from '@market-spine/core';
import type { ExecutionContext, SqlExecutor, SqlValue } from '@market-spine/core';
import { getCalc } from '../calcs.js';
import type { CalcName } from '../calcs.js';
import type { CaptureRef } from './stages.js';

const LINEAGE_COLUMNS = ['week_ending', 'tier', 'calc_name', 'calc_version', 'capture_id', 'captured_at', 'execution_id', 'batch_id', 'calculated_at'] as const;

/**
 * Inserts rows of a registered calculation into its table, adding the
 * business clock (week_ending, tier) and lineage (calc name and current
 * version, capture, execution, batch, calculated_at) to each row.
 *
 * @param columns the calculation's own columns, in the order of each row's values
 * @returns rows inserted
 */
export async function insertCalcRows(
  tx: SqlExecutor,
  calcName: CalcName,
  capture: CaptureRef,
  execution: ExecutionContext,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
): Promise<number> {
  const calc = getCalc(calcName);
  const calculatedAt = nowIso();
  const lineage: SqlValue[] = [
    capture.weekEnding,
    capture.tier,
    calcName,
    calc.current,
    capture.captureId,
    capture.capturedAt,
    execution.executionId,
    execution.batchId,
    calculatedAt,
  ];
  return tx.insertRows(
    calc.table,
    [...LINEAGE_COLUMNS, ...columns],
    rows.map((row) => lineage.concat(row)),
  );
}
