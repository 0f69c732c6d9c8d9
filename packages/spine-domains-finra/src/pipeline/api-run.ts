import { errorMessage, finishExecution, isSpineError, startExecution } from '@market-spine/core';
import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { storeResults, worstStatus } from '@market-spine/quality';
import type { QualityResult, QualityStatus } from '@market-spine/quality';
import type { ApiResponseInfo, ApiSourceFormat } from '../parse-api.js';
import { ingestApiPrepared, prepareApiSource, symbolTotalPartitionKey } from './api-ingest.js';
import type { PreparedApiSource } from './api-ingest.js';
import { SYMBOL_TOTAL_STAGE_CHECKS, runStageChecks } from './quality-checks.js';
import { PIPELINES } from './run.js';
import type { PartitionReport } from './run.js';
import { failStage, stopOnQuality } from './stage-outcome.js';
import { DOMAIN, stageRank } from './stages.js';
import type { CaptureRef, Stage } from './stages.js';
import { rollSymbolTotals } from './symbol-total-rolling.js';

/** Pipeline name of an API file's run in `core_executions` (its ingest and weeks are children, as in `runPipeline`). */
export const API_PIPELINE = 'finra.otc_transparency.api';

/** Options of {@link ingestApiRecords}. */
export interface IngestApiOptions {
  /** Last stage: `NORMALIZED` (symbol totals stored) or `ROLLING` (default: rolling 6-week metrics too). */
  readonly through?: Extract<Stage, 'NORMALIZED' | 'ROLLING'>;
  /** Progress callback. */
  readonly onEvent?: (event: ApiIngestEvent) => void;
}

/** Progress of {@link ingestApiRecords}. */
export type ApiIngestEvent =
  /** `steps`: the stages (with their checks) this call will run, all captures together. */
  | { readonly type: 'planned'; readonly captures: number; readonly steps: number }
  | { readonly type: 'stage'; readonly partitionKey: string; readonly stage: Stage; readonly quality: QualityStatus | null };

/** What an API file holds, as parsed (the same whether or not it was loaded before). */
export interface ApiSourceSummary {
  readonly path: string;
  readonly format: ApiSourceFormat;
  readonly sha256: string;
  readonly bytes: number;
  /** Records in the file = accepted + rejected. */
  readonly records: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Rejected records per seed 001 reason code. */
  readonly rejectReasons: Readonly<Record<string, number>>;
  readonly responses: readonly ApiResponseInfo[];
  /** Responses whose `record-total` is above their record count: the file misses records of them. */
  readonly incompleteResponses: number;
  /** Symbols with accepted records, sorted. */
  readonly symbols: readonly string[];
  /** Distinct week endings with accepted records, and the first and last of them. */
  readonly weeks: number;
  readonly firstWeekEnding: string | null;
  readonly lastWeekEnding: string | null;
  /** Accepted records FINRA revised after first publishing them (lastUpdateDate after initialPublishedDate). */
  readonly revisions: number;
}

/**
 * Where a (week, tier) capture of the file stands after the call: as a
 * {@link PartitionReport} of the file pipeline (status, stage reached, checks
 * that did not pass, error), with the partition key `<week>|<tier>|ATS_W_SMBL`
 * and counts of records instead of lines.
 */
export interface ApiPartitionReport extends Omit<PartitionReport, 'lines' | 'accepted' | 'rejected' | 'quality'> {
  /** Records of this (week, tier) in the file = accepted + rejected. */
  readonly records: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Accepted records FINRA revised after first publishing them. */
  readonly revisions: number;
  /** Worst status of the checks run in this call; null when none ran. */
  readonly quality: QualityStatus | null;
}

/** An expected failure, with what to do. */
export interface ApiIngestError {
  readonly code: string;
  readonly message: string;
  readonly hint: string | null;
}

/**
 * Outcome of {@link ingestApiRecords}: `loaded` (new captures written, or
 * captures of an interrupted call finished), `unchanged` (these bytes are
 * loaded already: nothing was written, not even the execution log) or
 * `failed` (the file could not be read, or a (week, tier) failed: see its
 * report; what completed before stays committed).
 */
export type IngestApiResult =
  | { readonly status: 'loaded'; readonly batchId: string; readonly source: ApiSourceSummary; readonly partitions: readonly ApiPartitionReport[] }
  | { readonly status: 'unchanged'; readonly batchId: null; readonly source: ApiSourceSummary; readonly partitions: readonly ApiPartitionReport[] }
  | { readonly status: 'failed'; readonly batchId: string | null; readonly source: ApiSourceSummary | null; readonly partitions: readonly ApiPartitionReport[]; readonly error: ApiIngestError };

function summarize(prepared: PreparedApiSource): ApiSourceSummary {
  const { parsed } = prepared;
  const rejectReasons: Record<string, number> = {};
  for (const reject of parsed.rejects) rejectReasons[reject.code] = (rejectReasons[reject.code] ?? 0) + 1;
  const weeks = [...new Set(parsed.rows.map((r) => r.weekEnding))].sort();
  return {
    path: prepared.path,
    format: parsed.format,
    sha256: parsed.sha256,
    bytes: parsed.bytes,
    records: parsed.records,
    accepted: parsed.rows.length,
    rejected: parsed.rejects.length,
    rejectReasons,
    responses: parsed.responses,
    incompleteResponses: parsed.responses.filter((r) => r.recordTotal !== null && r.recordTotal > r.records).length,
    symbols: [...new Set(parsed.rows.map((r) => r.symbol))].sort(),
    weeks: weeks.length,
    firstWeekEnding: weeks[0] ?? null,
    lastWeekEnding: weeks.at(-1) ?? null,
    revisions: parsed.rows.filter((r) => r.isRevision).length,
  };
}

/** Stage and capture time of the file's existing captures, and which of them a failed check stopped. */
async function existingCaptures(db: SpineDb, ids: readonly string[]): Promise<Map<string, { stage: Stage; capturedAt: string; stopped: boolean }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('finra_otc_transparency_captures').select(['capture_id', 'stage', 'captured_at']).where('capture_id', 'in', ids).execute();
  const failed = await db.kysely
    .selectFrom('core_quality_checks')
    .select('capture_id')
    .distinct()
    .where('capture_id', 'in', ids)
    .where('status', 'in', ['FAIL', 'ERROR'])
    .execute();
  const stopped = new Set(failed.map((r) => r.capture_id as string));
  return new Map(rows.map((r) => [r.capture_id as string, { stage: r.stage as Stage, capturedAt: r.captured_at as string, stopped: stopped.has(r.capture_id as string) }]));
}

type StageOutcome = Pick<ApiPartitionReport, 'status' | 'stageReached' | 'quality' | 'qualityIssues' | 'error'>;

/**
 * Takes one capture through the checks of NORMALIZED (when `checkNormalized`,
 * i.e. it was just ingested) and the ROLLING stage with its checks, in its own
 * execution. A FAIL or ERROR check stops the capture; a stage error is rolled
 * back and reported.
 */
async function processCapture(db: SpineDb, capture: CaptureRef, root: ExecutionContext, through: Stage, checkNormalized: boolean, options: IngestApiOptions): Promise<StageOutcome> {
  const key = symbolTotalPartitionKey(capture);
  const execution = await startExecution(db.executor(), { pipeline: PIPELINES.week, domain: DOMAIN, partitionKey: key, parent: root, params: { captureId: capture.captureId } });
  const results: QualityResult[] = [];
  let reached: Stage = 'NORMALIZED';
  const outcome = (status: StageOutcome['status'], error: StageOutcome['error']): StageOutcome => ({
    status,
    stageReached: reached,
    quality: results.length === 0 ? null : worstStatus(results.map((r) => r.status)),
    qualityIssues: results.filter((r) => r.status !== 'PASS').map(({ checkName, status: s, message }) => ({ checkName, status: s, message })),
    error,
  });
  /** Runs and stores a stage's checks; true when one failed or could not run. */
  const checksStop = async (stage: Stage): Promise<boolean> => {
    const run = await runStageChecks(db.executor(), SYMBOL_TOTAL_STAGE_CHECKS[stage] ?? [], capture);
    await storeResults(db.executor(), run, { domain: DOMAIN, partitionKey: key, pipeline: PIPELINES.week, stage, captureId: capture.captureId, execution });
    results.push(...run.results);
    options.onEvent?.({ type: 'stage', partitionKey: key, stage, quality: run.status });
    return run.status === 'FAIL' || run.status === 'ERROR';
  };
  const stop = async (stage: Stage): Promise<StageOutcome> => outcome('stopped', await stopOnQuality(db, execution, stage, key, results));
  if (checkNormalized && (await checksStop('NORMALIZED'))) return stop('NORMALIZED');
  if (stageRank(through) >= stageRank('ROLLING')) {
    try {
      await rollSymbolTotals(db, capture, execution);
    } catch (error) {
      return outcome('failed', await failStage(db, execution, 'ROLLING', key, error));
    }
    reached = 'ROLLING';
    if (await checksStop('ROLLING')) return stop('ROLLING');
  }
  await finishExecution(db.executor(), execution, { status: 'COMPLETED' });
  return outcome('complete', null);
}

/**
 * Loads a FINRA Query API file of `weeklySummary` symbol totals (summary type
 * ATS_W_SMBL; see `parseApiSource` for the layouts and reject codes): one
 * capture per (week, tier) with source_type `api`, its records in
 * `weekly_symbol_total`, then the rolling 6-week metrics of each week in week
 * order (`symbol_total_rolling_6w`), with seed 001's quality checks after each
 * stage. The records are symbol totals: they never become venue rows, venue
 * shares or HHI. Every record is accepted or stored as a reject with its reason.
 *
 * Idempotent: a file whose (week, tier) partitions are all captured from the
 * same bytes writes nothing (`unchanged`), unless an interrupted call left
 * some of them before `through`, which are then finished. Changed bytes for a
 * loaded week are a new capture beside the old one; the `*_latest` views take
 * the newest capture per (week, tier, symbol).
 *
 * @param path the JSON file
 * @returns the outcome; expected failures (missing file, unknown layout, a failed stage) are in it, not thrown
 * @throws only database errors outside any stage (for example the database is not migrated)
 */
export async function ingestApiRecords(db: SpineDb, path: string, options: IngestApiOptions = {}): Promise<IngestApiResult> {
  const through = options.through ?? 'ROLLING';
  let prepared: PreparedApiSource;
  try {
    prepared = await prepareApiSource(db, path);
  } catch (error) {
    if (!isSpineError(error)) throw error;
    return { status: 'failed', batchId: null, source: null, partitions: [], error: { code: error.code, message: error.message, hint: error.hint ?? null } };
  }
  const source = summarize(prepared);
  const existing = await existingCaptures(db, prepared.partitions.flatMap((p) => (p.existingCaptureId === null ? [] : [p.existingCaptureId])));
  const resumable = prepared.partitions.filter((p) => {
    const state = p.existingCaptureId === null ? undefined : existing.get(p.existingCaptureId);
    return state !== undefined && !state.stopped && stageRank(state.stage) < stageRank(through);
  });
  const report = (partition: PreparedApiSource['partitions'][number], captureId: string, outcome: StageOutcome): ApiPartitionReport => ({
    weekEnding: partition.weekEnding,
    tier: partition.tier,
    partitionKey: partition.partitionKey,
    captureId,
    ...outcome,
    records: partition.rows.length + partition.rejects.length,
    accepted: partition.rows.length,
    rejected: partition.rejects.length,
    revisions: partition.rows.filter((r) => r.isRevision).length,
  });
  const untouched = (partition: PreparedApiSource['partitions'][number]): ApiPartitionReport => {
    const id = partition.existingCaptureId as string;
    return report(partition, id, { status: 'unchanged', stageReached: existing.get(id)?.stage ?? 'INGESTED', quality: null, qualityIssues: [], error: null });
  };
  if (prepared.unchanged && resumable.length === 0) {
    return { status: 'unchanged', batchId: null, source, partitions: prepared.partitions.map(untouched) };
  }

  const fresh = prepared.partitions.filter((p) => p.existingCaptureId === null);
  const rolling = stageRank(through) >= stageRank('ROLLING') ? 1 : 0;
  options.onEvent?.({ type: 'planned', captures: fresh.length + resumable.length, steps: fresh.length * (1 + rolling) + resumable.length * rolling });
  const root = await startExecution(db.executor(), { pipeline: API_PIPELINE, domain: DOMAIN, params: { path, through } });
  const work: { partition: PreparedApiSource['partitions'][number]; capture: CaptureRef; fresh: boolean }[] = resumable.map((partition) => {
    const id = partition.existingCaptureId as string;
    return { partition, capture: { captureId: id, weekEnding: partition.weekEnding, tier: partition.tier, capturedAt: (existing.get(id) as { capturedAt: string }).capturedAt }, fresh: false };
  });
  if (!prepared.unchanged) {
    const execution = await startExecution(db.executor(), { pipeline: PIPELINES.ingest, domain: DOMAIN, parent: root, params: { path } });
    try {
      const { captures } = await ingestApiPrepared(db, prepared, execution);
      await finishExecution(db.executor(), execution, { status: 'COMPLETED' });
      for (const capture of captures) {
        const partition = fresh.find((p) => p.weekEnding === capture.weekEnding && p.tier === capture.tier) as PreparedApiSource['partitions'][number];
        work.push({ partition, capture, fresh: true });
      }
    } catch (error) {
      const code = isSpineError(error) ? error.code : 'INGEST_FAILED';
      const message = `Ingest of ${path} failed and was rolled back: ${errorMessage(error)}`;
      await finishExecution(db.executor(), execution, { status: 'FAILED', errorCode: code, errorMessage: message });
      await finishExecution(db.executor(), root, { status: 'FAILED', errorCode: code, errorMessage: message });
      return { status: 'failed', batchId: root.batchId, source, partitions: [], error: { code, message, hint: null } };
    }
  }

  // Weeks in order: a week's rolling window reads the weeks before it.
  work.sort((a, b) => (a.partition.partitionKey < b.partition.partitionKey ? -1 : 1));
  const partitions: ApiPartitionReport[] = [];
  for (const item of work) {
    partitions.push(report(item.partition, item.capture.captureId, await processCapture(db, item.capture, root, through, item.fresh, options)));
  }
  const done = new Set(partitions.map((p) => p.captureId));
  for (const partition of prepared.partitions) if (partition.existingCaptureId !== null && !done.has(partition.existingCaptureId)) partitions.push(untouched(partition));
  partitions.sort((a, b) => (a.partitionKey < b.partitionKey ? -1 : 1));
  const firstError = partitions.find((p) => p.error !== null)?.error ?? null;
  if (firstError !== null) {
    const message = `${partitions.filter((p) => p.error !== null).length} (week, tier) partition(s) did not complete; first: ${firstError.message}`;
    await finishExecution(db.executor(), root, { status: 'FAILED', errorCode: 'RUN_INCOMPLETE', errorMessage: message });
    return { status: 'failed', batchId: root.batchId, source, partitions, error: { code: firstError.code, message, hint: 'See each partition report; a corrected file is a new capture.' } };
  }
  await finishExecution(db.executor(), root, { status: 'COMPLETED' });
  return { status: 'loaded', batchId: root.batchId, source, partitions };
}
