import type { CoreManifestTable } from './core-tables.js';
import type { SqlExecutor } from './dialect/types.js';
import type { ExecutionContext } from './executions.js';
import { nowIso } from './ids.js';

/** A stage reached by a partition, as written to `core_manifest`. */
export interface StageRecord {
  readonly domain: string;
  readonly partitionKey: string;
  readonly stage: string;
  readonly captureId: string | null;
  /** Rows the stage read. */
  readonly rowCountIn: number;
  /** Rows the stage wrote. */
  readonly rowCountOut: number;
  /** Rows the stage rejected (each stored with a reason by the domain). */
  readonly rowCountRejected: number;
  readonly source?: {
    readonly type: string;
    readonly locator: string;
    readonly sha256: string;
    readonly bytes: number;
  };
  readonly metadata?: Record<string, unknown>;
}

/**
 * Upserts the manifest row of a stage (key: domain, partition, stage). Call
 * it in the transaction that wrote the stage's rows so that the two commit
 * together.
 */
export async function recordStage(executor: SqlExecutor, context: ExecutionContext, record: StageRecord): Promise<void> {
  const row: CoreManifestTable = {
    domain: record.domain,
    partition_key: record.partitionKey,
    stage: record.stage,
    capture_id: record.captureId,
    row_count_in: record.rowCountIn,
    row_count_out: record.rowCountOut,
    row_count_rejected: record.rowCountRejected,
    source_type: record.source?.type ?? null,
    source_locator: record.source?.locator ?? null,
    source_sha256: record.source?.sha256 ?? null,
    source_bytes: record.source?.bytes ?? null,
    execution_id: context.executionId,
    batch_id: context.batchId,
    metadata: record.metadata === undefined ? null : JSON.stringify(record.metadata),
    updated_at: nowIso(),
  };
  const { domain, partition_key, stage, ...update } = row;
  await executor.kysely
    .insertInto('core_manifest')
    .values(row)
    .onConflict((oc) => oc.columns(['domain', 'partition_key', 'stage']).doUpdateSet(update))
    .execute();
}

/** Manifest rows of a domain, ordered by partition then stage name. */
export async function listManifest(executor: SqlExecutor, domain: string): Promise<CoreManifestTable[]> {
  return (await executor.kysely
    .selectFrom('core_manifest')
    .selectAll()
    .where('domain', '=', domain)
    .orderBy('partition_key')
    .orderBy('stage')
    .execute()) as CoreManifestTable[];
}
