import { errorMessage, finishExecution, isSpineError } from '@market-spine/core';
import type { ExecutionContext, SpineDb } from '@market-spine/core';
import type { QualityResult } from '@market-spine/quality';
import type { Stage } from './stages.js';

/** Why a (week, tier) did not reach its last stage. */
export interface StageFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * Ends a (week, tier)'s execution as FAILED after `stage` threw (its
 * transaction was rolled back).
 *
 * @returns the error's code (`STAGE_FAILED` when it has none) and a message naming the stage and partition
 */
export async function failStage(db: SpineDb, execution: ExecutionContext, stage: Stage, key: string, error: unknown): Promise<StageFailure> {
  const code = isSpineError(error) ? error.code : ((error as { code?: string }).code ?? 'STAGE_FAILED');
  const message = `${stage} of ${key} failed and was rolled back: ${errorMessage(error)}`;
  await finishExecution(db.executor(), execution, { status: 'FAILED', errorCode: code, errorMessage: message });
  return { code, message };
}

/**
 * Ends a (week, tier)'s execution as FAILED when a check after `stage`
 * failed or could not run: the partition stops before its next stage.
 *
 * @param results the checks' results; those with status FAIL or ERROR are named
 * @returns `QUALITY_FAILED` and a message naming the checks
 */
export async function stopOnQuality(db: SpineDb, execution: ExecutionContext, stage: Stage, key: string, results: readonly QualityResult[]): Promise<StageFailure> {
  const failed = results.filter((r) => r.status === 'FAIL' || r.status === 'ERROR').map((r) => r.checkName);
  const message = `Quality check(s) ${failed.join(', ')} failed after ${stage}; ${key} stopped before the next stage.`;
  await finishExecution(db.executor(), execution, { status: 'FAILED', errorCode: 'QUALITY_FAILED', errorMessage: message });
  return { code: 'QUALITY_FAILED', message };
}
