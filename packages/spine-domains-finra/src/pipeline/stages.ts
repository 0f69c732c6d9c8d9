import type { FinraTier } from '../tiers.js';

/** The domain name under which this package writes manifests, load records and quality results. */
export const DOMAIN = 'finra.otc_transparency';

/** Pipeline stages per (week, tier), in order (DESIGN.md "Pipeline stages"). */
export const STAGES = ['INGESTED', 'NORMALIZED', 'AGGREGATED', 'ROLLING', 'SNAPSHOT'] as const;

/** One of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

/** Position of a stage (INGESTED 0 … SNAPSHOT 4). */
export function stageRank(stage: Stage): number {
  return STAGES.indexOf(stage);
}

/**
 * Manifest partition key of a (week, tier): `2025-11-14|OTC`. A source grain
 * other than the venue rows of the files gets its own key, `2025-11-14|NMS_TIER_1|ATS_W_SMBL`,
 * so its manifest rows never replace those of the same (week, tier).
 */
export function partitionKey(weekEnding: string, tier: FinraTier, grain?: string): string {
  return grain === undefined ? `${weekEnding}|${tier}` : `${weekEnding}|${tier}|${grain}`;
}

/** A capture being processed: one (week, tier) content from one source. */
export interface CaptureRef {
  readonly captureId: string;
  readonly weekEnding: string;
  readonly tier: FinraTier;
  /** ISO-8601 UTC instant of ingestion. */
  readonly capturedAt: string;
}

/**
 * Equality filters selecting one capture's rows. Leading with week_ending
 * and tier lets SQLite use each table's capture index
 * (week_ending, tier, capture_id) instead of scanning the history.
 */
export function captureScope(capture: CaptureRef): { week_ending: string; tier: FinraTier; capture_id: string } {
  return { week_ending: capture.weekEnding, tier: capture.tier, capture_id: capture.captureId };
}
