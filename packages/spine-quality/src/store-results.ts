import { ErrorCode, SpineError, nowIso } from '@market-spine/core';
import type { CoreQualityChecksTable, CoreTables, ExecutionContext, SqlExecutor } from '@market-spine/core';
import type { Kysely } from 'kysely';
import type { QualityRun, QualityStatus } from './run-checks.js';

/** Where a run's results belong: stored on every row of `core_quality_checks`. */
export interface StoreContext {
  /** Domain that owns the checked data, e.g. `finra.otc_transparency`. */
  readonly domain: string;
  /** The partition checked, e.g. `2025-11-07|NMS_TIER_1`; null for whole-table checks. */
  readonly partitionKey?: string | null;
  /** Pipeline that ran the checks. */
  readonly pipeline: string;
  /** Manifest stage the checks ran after. */
  readonly stage?: string | null;
  /** Capture the checked rows came from. */
  readonly captureId?: string | null;
  /** Lineage: `execution_id` and `batch_id` of the row. */
  readonly execution: ExecutionContext;
}

/** What {@link readResults} selects; every field narrows the selection. */
export interface ReadResultsFilter {
  readonly domain?: string;
  readonly partitionKey?: string;
  readonly status?: QualityStatus;
  /** Most rows returned (a positive integer); default 100. */
  readonly limit?: number;
}

/** Default number of rows {@link readResults} returns. */
export const DEFAULT_RESULTS_LIMIT = 100;

type QualityCheckRow = Omit<CoreQualityChecksTable, 'check_id'>;

/**
 * Stores every result of a run, passes included, as one row each of
 * `core_quality_checks` (DESIGN.md "spine-quality"). All rows share one
 * `checked_at` (ISO-8601 UTC); `sample_keys` is a JSON array. Call it in the
 * transaction that wrote the checked rows to commit both together.
 *
 * @returns the number of rows inserted (the number of results)
 * @throws the database's error, e.g. when core's migrations have not created the table
 */
export async function storeResults(executor: SqlExecutor, run: QualityRun, context: StoreContext): Promise<number> {
  if (run.results.length === 0) return 0;
  const checkedAt = nowIso();
  const rows = run.results.map(
    (result): QualityCheckRow => ({
      domain: context.domain,
      partition_key: context.partitionKey ?? null,
      pipeline: context.pipeline,
      stage: context.stage ?? null,
      capture_id: context.captureId ?? null,
      check_name: result.checkName,
      check_kind: result.kind,
      category: result.category,
      severity: result.severity,
      status: result.status,
      check_value: result.checkValue,
      expected_value: result.expectedValue,
      tolerance: result.tolerance,
      message: result.message,
      failed_row_count: result.failedRowCount,
      sample_keys: JSON.stringify(result.sampleKeys),
      execution_id: context.execution.executionId,
      batch_id: context.execution.batchId,
      checked_at: checkedAt,
    }),
  );
  await executor.kysely.insertInto('core_quality_checks').values(rows).execute();
  return rows.length;
}

/**
 * Reads stored results, newest first (by `checked_at`, then insertion order),
 * for `spine quality report`.
 *
 * @throws SpineError `INVALID_ARGUMENT` when `limit` is not a positive integer
 */
export async function readResults(executor: SqlExecutor, filter: ReadResultsFilter = {}): Promise<CoreQualityChecksTable[]> {
  const limit = filter.limit ?? DEFAULT_RESULTS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Invalid result limit ${String(limit)}.`, { hint: 'Give a positive whole number.' });
  }
  const db = executor.kysely as Kysely<CoreTables>;
  let query = db.selectFrom('core_quality_checks').selectAll();
  if (filter.domain !== undefined) query = query.where('domain', '=', filter.domain);
  if (filter.partitionKey !== undefined) query = query.where('partition_key', '=', filter.partitionKey);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('checked_at', 'desc').orderBy('check_id', 'desc').limit(limit).execute();
}
