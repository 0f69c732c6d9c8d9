import type { SqlExecutor } from './dialect/types.js';
import { newId, nowIso } from './ids.js';

/** Lineage of a piece of work: its execution, the batch it belongs to and its parent. */
export interface ExecutionContext {
  readonly executionId: string;
  readonly batchId: string;
  readonly parentExecutionId: string | null;
}

/** What an execution is. */
export interface ExecutionSpec {
  /** Pipeline name, e.g. `finra.otc_transparency.week`. */
  readonly pipeline: string;
  readonly domain?: string;
  readonly partitionKey?: string;
  /** Parameters, stored as JSON. */
  readonly params?: Record<string, unknown>;
  /** The parent's context; a root execution starts a new batch unless `batchId` is given. */
  readonly parent?: ExecutionContext;
  readonly batchId?: string;
  readonly triggeredBy?: string;
}

/** Records a RUNNING execution in `core_executions` and returns its context. */
export async function startExecution(executor: SqlExecutor, spec: ExecutionSpec): Promise<ExecutionContext> {
  const context: ExecutionContext = {
    executionId: newId('exe'),
    batchId: spec.parent?.batchId ?? spec.batchId ?? newId('bat'),
    parentExecutionId: spec.parent?.executionId ?? null,
  };
  await executor.kysely
    .insertInto('core_executions')
    .values({
      execution_id: context.executionId,
      pipeline: spec.pipeline,
      domain: spec.domain ?? null,
      partition_key: spec.partitionKey ?? null,
      status: 'RUNNING',
      params: spec.params === undefined ? null : JSON.stringify(spec.params),
      parent_execution_id: context.parentExecutionId,
      batch_id: context.batchId,
      triggered_by: spec.triggeredBy ?? 'manual',
      started_at: nowIso(),
    })
    .execute();
  return context;
}

/** Marks an execution COMPLETED, or FAILED with the error's code and message. */
export async function finishExecution(
  executor: SqlExecutor,
  context: ExecutionContext,
  outcome: { readonly status: 'COMPLETED' } | { readonly status: 'FAILED'; readonly errorCode: string; readonly errorMessage: string },
): Promise<void> {
  await executor.kysely
    .updateTable('core_executions')
    .set({
      status: outcome.status,
      completed_at: nowIso(),
      error_code: outcome.status === 'FAILED' ? outcome.errorCode : null,
      error_message: outcome.status === 'FAILED' ? outcome.errorMessage : null,
    })
    .where('execution_id', '=', context.executionId)
    .execute();
}
