import { ErrorCode, SpineError, nowIso } from '@market-spine/core';
import type { ExecutionContext, SqlExecutor, SqlValue } from '@market-spine/core';
import { getCalc, writtenVersions } from '../calcs.js';
import type { CalcName } from '../calcs.js';
import { writeCalcRows } from './calc-write.js';
import type { CaptureRef } from './stages.js';

const LINEAGE_COLUMNS = ['week_ending', 'tier', 'calc_name', 'calc_version', 'capture_id', 'captured_at', 'execution_id', 'batch_id', 'calculated_at'] as const;

/**
 * Inserts rows of a registered calculation into its table, adding the
 * business clock (week_ending, tier) and lineage (calc name and version,
 * capture, execution, batch, calculated_at) to each row.
 *
 * @param columns the calculation's own columns, in the order of each row's values
 * @param version the version the rows were computed with (default: the current one)
 * @returns rows written (a capture that already has rows of this version gets them updated: {@link writeCalcRows})
 * @throws SpineError `INVALID_ARGUMENT` when the version is not registered or is deprecated (deprecated versions get no new rows)
 * @throws SpineError `CALC_CONSTRAINT_VIOLATION` naming the calc and the business key of a row its table refuses
 */
export async function insertCalcRows(
  tx: SqlExecutor,
  calcName: CalcName,
  capture: CaptureRef,
  execution: ExecutionContext,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
  version?: string,
): Promise<number> {
  const calc = getCalc(calcName);
  const calcVersion = version ?? calc.current;
  if (!writtenVersions(calc).includes(calcVersion)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${calcName} ${calcVersion} is not a version the pipeline writes (registered and not deprecated: ${writtenVersions(calc).join(', ')}).`);
  }
  const calculatedAt = nowIso();
  const lineage: SqlValue[] = [
    capture.weekEnding,
    capture.tier,
    calcName,
    calcVersion,
    capture.captureId,
    capture.capturedAt,
    execution.executionId,
    execution.batchId,
    calculatedAt,
  ];
  return writeCalcRows(tx, {
    calcName,
    calc,
    version: calcVersion,
    capture,
    columns: [...LINEAGE_COLUMNS, ...columns],
    rows: rows.map((row) => lineage.concat(row)),
  });
}
