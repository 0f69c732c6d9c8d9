import { recordStage } from '@market-spine/core';
import type { ExecutionContext, SqlExecutor } from '@market-spine/core';
import { DOMAIN, STAGES, partitionKey, stageRank } from './stages.js';
import type { CaptureRef, Stage } from './stages.js';

/** Row counts of a stage: read, written, rejected (each reject stored with its reason). */
export interface StageCounts {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rejected: number;
}

/**
 * Records that a capture reached a stage, in the stage's own transaction:
 * the partition's `core_manifest` row (the latest capture per stage) and the
 * capture's own `stage`, its furthest (its history survives a newer capture).
 */
export async function completeStage(
  tx: SqlExecutor,
  execution: ExecutionContext,
  capture: CaptureRef,
  stage: Stage,
  counts: StageCounts,
  extra: {
    readonly source?: { type: string; locator: string; sha256: string; bytes: number };
    readonly metadata?: Record<string, unknown>;
    /** The manifest partition key, when not the (week, tier) one (another source grain, see {@link partitionKey}). */
    readonly partitionKey?: string;
  } = {},
): Promise<void> {
  await recordStage(tx, execution, {
    domain: DOMAIN,
    partitionKey: extra.partitionKey ?? partitionKey(capture.weekEnding, capture.tier),
    stage,
    captureId: capture.captureId,
    rowCountIn: counts.rowsIn,
    rowCountOut: counts.rowsOut,
    rowCountRejected: counts.rejected,
    ...(extra.source === undefined ? {} : { source: extra.source }),
    ...(extra.metadata === undefined ? {} : { metadata: extra.metadata }),
  });
  // Only forward: a stage run again for a capture that went further leaves its furthest stage.
  const earlier = STAGES.slice(0, stageRank(stage));
  if (earlier.length === 0) return;
  await tx.kysely.updateTable('finra_otc_transparency_captures').set({ stage }).where('capture_id', '=', capture.captureId).where('stage', 'in', earlier).execute();
}
