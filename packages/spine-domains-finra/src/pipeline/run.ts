import { errorMessage, finishExecution, isSpineError, startExecution } from '@market-spine/core';
import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { storeResults } from '@market-spine/quality';
import type { QualityResult, QualityStatus } from '@market-spine/quality';
import type { FinraTier } from '../tiers.js';
import { aggregateCapture } from './aggregate.js';
import { API_SOURCE_TYPE } from './api-ingest.js';
import { ingestPrepared, prepareSource } from './ingest.js';
import type { PreparedSource } from './ingest.js';
import { expandInputs } from './inputs.js';
import { normalizeCapture } from './normalize.js';
import { STAGE_CHECKS, runStageChecks } from './quality-checks.js';
import { rollCapture } from './rolling.js';
import { snapshotCapture } from './snapshot.js';
import { failStage, stopOnQuality } from './stage-outcome.js';
import { DOMAIN, STAGES, captureScope, partitionKey, stageRank } from './stages.js';
import type { CaptureRef, Stage } from './stages.js';

/** Pipeline names recorded in `core_executions`. */
export const PIPELINES = {
  run: 'finra.otc_transparency.run',
  ingest: 'finra.otc_transparency.ingest',
  week: 'finra.otc_transparency.week',
} as const;

/** Options of {@link runPipeline}. */
export interface RunOptions {
  /** Business week for every row (`--week-ending`), a Friday `YYYY-MM-DD` already validated. */
  readonly weekEnding?: string;
  /** Declared tier (`--tier`). */
  readonly tier?: FinraTier;
  /** Last stage to run: `INGESTED` for `finra ingest`, `SNAPSHOT` (default) for `finra run`. */
  readonly through?: Extract<Stage, 'INGESTED' | 'SNAPSHOT'>;
  /** Progress callback. */
  readonly onEvent?: (event: PipelineEvent) => void;
}

/** Progress of a run. */
export type PipelineEvent =
  | { readonly type: 'planned'; readonly files: number; readonly stages: number }
  | { readonly type: 'file'; readonly path: string; readonly status: FileReport['status'] }
  | { readonly type: 'stage'; readonly partitionKey: string; readonly stage: Stage; readonly quality: QualityStatus | null };

/** What happened to one input file. */
export interface FileReport {
  readonly path: string;
  /** `loaded`: new captures written; `unchanged`: every (week, tier) already captured from these bytes; `error`: nothing written. */
  readonly status: 'loaded' | 'unchanged' | 'error';
  readonly format: string | null;
  readonly sha256: string | null;
  readonly bytes: number | null;
  /** Data lines in the file. */
  readonly lines: number;
  readonly error: { readonly code: string; readonly message: string; readonly hint: string | null } | null;
}

/** Where a (week, tier) capture stands after the run. */
export interface PartitionReport {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  readonly partitionKey: string;
  readonly captureId: string;
  /**
   * What this run did: `complete`: reached the last requested stage; `unchanged`:
   * nothing (its `error` says why when an earlier run stopped it on a failed check);
   * `stopped`: a quality check failed now; `failed`: a stage raised an error (rolled back).
   */
  readonly status: 'complete' | 'unchanged' | 'stopped' | 'failed';
  readonly stageReached: Stage;
  /** Input lines of this (week, tier). */
  readonly lines: number;
  /** Rows that reached `weekly_symbol_venue_volume` (or the raw table before normalize). */
  readonly accepted: number;
  /** Rejects stored for this capture, all stages. */
  readonly rejected: number;
  /** Worst quality status recorded for the capture, null when no check ran. */
  readonly quality: QualityStatus | null;
  /** Checks that did not pass. */
  readonly qualityIssues: readonly Pick<QualityResult, 'checkName' | 'status' | 'message'>[];
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** Outcome of a run (zod-style result; expected failures are reported, not thrown). */
export interface RunReport {
  /** `ok`: every file read and every partition complete; `unchanged`: nothing new; `failed`: a file or partition has an error. */
  readonly status: 'ok' | 'unchanged' | 'failed';
  /** The batch of this run's executions; null when nothing was written. */
  readonly batchId: string | null;
  readonly files: readonly FileReport[];
  readonly partitions: readonly PartitionReport[];
}

const STATUS_RANK: Readonly<Record<QualityStatus, number>> = { PASS: 0, WARN: 1, FAIL: 2, ERROR: 3 };

const STAGE_RUNNERS: Readonly<Record<Exclude<Stage, 'INGESTED'>, (db: SpineDb, capture: CaptureRef, execution: ExecutionContext) => Promise<unknown>>> = {
  NORMALIZED: normalizeCapture,
  AGGREGATED: aggregateCapture,
  ROLLING: rollCapture,
  SNAPSHOT: snapshotCapture,
};

async function stageReached(db: SpineDb, captureId: string): Promise<Stage> {
  const row = await db.kysely.selectFrom('finra_otc_transparency_captures').select('stage').where('capture_id', '=', captureId).executeTakeFirstOrThrow();
  return row.stage as Stage;
}

/** True when a check recorded for the capture (its latest result) failed or could not run. */
function stoppedByQuality(quality: { worst: QualityStatus | null }): boolean {
  return quality.worst === 'FAIL' || quality.worst === 'ERROR';
}

async function latestCaptureId(db: SpineDb, weekEnding: string, tier: FinraTier): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom('finra_otc_transparency_captures')
    .select('capture_id')
    .where('week_ending', '=', weekEnding)
    .where('tier', '=', tier)
    // API captures hold symbol totals, another grain: they never supersede a file's venue rows.
    .where('source_type', '<>', API_SOURCE_TYPE)
    .orderBy('captured_at', 'desc')
    .orderBy('capture_id', 'desc')
    .executeTakeFirst();
  return row?.capture_id as string | undefined;
}

async function loadCapture(db: SpineDb, captureId: string): Promise<CaptureRef & { lines: number }> {
  const row = await db.kysely
    .selectFrom('finra_otc_transparency_captures')
    .select(['capture_id', 'week_ending', 'tier', 'captured_at', 'lines_total'])
    .where('capture_id', '=', captureId)
    .executeTakeFirstOrThrow();
  return { captureId, weekEnding: row.week_ending, tier: row.tier, capturedAt: row.captured_at, lines: row.lines_total };
}

async function countRows(db: SpineDb, table: string, capture: CaptureRef): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and(captureScope(capture)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The latest result of each check recorded for a capture (a resumed capture may have run a check twice). */
async function recordedQuality(db: SpineDb, captureId: string): Promise<{ worst: QualityStatus | null; issues: PartitionReport['qualityIssues'] }> {
  const rows = await db.kysely
    .selectFrom('core_quality_checks')
    .select(['check_name', 'status', 'message'])
    .where('capture_id', '=', captureId)
    .orderBy('check_id')
    .execute();
  const latest = new Map(rows.map((r) => [r.check_name as string, { checkName: r.check_name as string, status: r.status as QualityStatus, message: r.message as string }]));
  const results = [...latest.values()];
  const worst = results.reduce<QualityStatus | null>((acc, r) => (acc === null || STATUS_RANK[r.status] > STATUS_RANK[acc] ? r.status : acc), null);
  return { worst, issues: results.filter((r) => r.status !== 'PASS') };
}

/**
 * Runs the FINRA OTC transparency pipeline on files or folders: ingests every
 * file (a new capture per (week, tier) whose bytes are new), then takes each
 * touched (week, tier) through NORMALIZED → AGGREGATED → ROLLING → SNAPSHOT
 * in week order, running the stage's quality checks after each stage and
 * stopping a (week, tier) on FAIL. Captures left part-way by an interrupted run
 * are resumed; a capture stopped by a failed check is reported, not retried (a
 * corrected file is a new capture). A file whose every (week, tier) is already
 * captured from the same bytes, with nothing to resume, changes nothing — not
 * even the execution log.
 *
 * Each stage commits on its own, together with its manifest row, so an error
 * leaves every (week, tier) at a complete stage; nothing is half-written.
 *
 * @returns the run's report; files and partitions that failed are in it, not thrown
 * @throws only database errors outside any stage (for example the database is not migrated)
 */
export async function runPipeline(db: SpineDb, inputs: readonly string[], options: RunOptions = {}): Promise<RunReport> {
  const through = options.through ?? 'SNAPSHOT';
  const files: FileReport[] = [];
  const prepared: PreparedSource[] = [];
  for (const path of expandInputs(inputs)) {
    try {
      const source = await prepareSource(db, path, {
        ...(options.weekEnding === undefined ? {} : { weekEnding: options.weekEnding }),
        ...(options.tier === undefined ? {} : { tier: options.tier }),
      });
      prepared.push(source);
    } catch (error) {
      if (!isSpineError(error)) throw error;
      files.push({ path, status: 'error', format: null, sha256: null, bytes: null, lines: 0, error: { code: error.code, message: error.message, hint: error.hint ?? null } });
    }
  }

  // Which captures need stages: new ones (after ingest) and the newest capture of a
  // (week, tier) left part-way by an interrupted run. A capture stopped by a failed
  // quality check is not retried with the same bytes: the same data fails the same
  // way; a corrected file is a new capture.
  const resumable: string[] = [];
  for (const source of prepared) {
    for (const partition of source.partitions) {
      const id = partition.existingCaptureId;
      if (id === null || resumable.includes(id)) continue;
      if ((await latestCaptureId(db, partition.weekEnding, partition.tier)) !== id) continue;
      if (stageRank(await stageReached(db, id)) >= stageRank(through)) continue;
      if (!stoppedByQuality(await recordedQuality(db, id))) resumable.push(id);
    }
  }
  const toIngest = prepared.filter((p) => !p.unchanged);
  const newPartitions = toIngest.reduce((n, p) => n + p.partitions.filter((x) => x.existingCaptureId === null).length, 0);
  const stagesPerPartition = stageRank(through);
  options.onEvent?.({ type: 'planned', files: prepared.length, stages: (newPartitions + resumable.length) * stagesPerPartition });

  const partitions: PartitionReport[] = [];
  let batchId: string | null = null;
  const work: string[] = [...resumable];
  if (toIngest.length > 0 || resumable.length > 0) {
    const root = await startExecution(db.executor(), { pipeline: PIPELINES.run, domain: DOMAIN, params: { inputs: [...inputs], weekEnding: options.weekEnding ?? null, tier: options.tier ?? null, through } });
    batchId = root.batchId;
    let failed = false;
    for (const source of prepared) {
      if (source.unchanged) {
        files.push(fileReport(source, 'unchanged'));
        options.onEvent?.({ type: 'file', path: source.path, status: 'unchanged' });
        continue;
      }
      const execution = await startExecution(db.executor(), { pipeline: PIPELINES.ingest, domain: DOMAIN, parent: root, params: { path: source.path } });
      try {
        const result = await ingestPrepared(db, source, execution);
        await finishExecution(db.executor(), execution, { status: 'COMPLETED' });
        work.push(...result.captures.map((c) => c.captureId));
        files.push(fileReport(source, 'loaded'));
        options.onEvent?.({ type: 'file', path: source.path, status: 'loaded' });
      } catch (error) {
        failed = true;
        const code = isSpineError(error) ? error.code : 'INGEST_FAILED';
        await finishExecution(db.executor(), execution, { status: 'FAILED', errorCode: code, errorMessage: errorMessage(error) });
        files.push({ ...fileReport(source, 'error'), error: { code, message: `Ingest of ${source.path} failed and was rolled back: ${errorMessage(error)}`, hint: null } });
        options.onEvent?.({ type: 'file', path: source.path, status: 'error' });
      }
    }

    const captures = await Promise.all(work.map((id) => loadCapture(db, id)));
    captures.sort((a, b) => (a.weekEnding < b.weekEnding ? -1 : a.weekEnding > b.weekEnding ? 1 : a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0));
    for (const capture of captures) {
      const report = await processCapture(db, capture, root, through, options);
      if (report.status !== 'complete') failed = true;
      partitions.push(report);
    }
    await finishExecution(
      db.executor(),
      root,
      failed || files.some((f) => f.status === 'error')
        ? { status: 'FAILED', errorCode: 'RUN_INCOMPLETE', errorMessage: 'Some files or partitions did not complete; see the run report.' }
        : { status: 'COMPLETED' },
    );
  } else {
    for (const source of prepared) {
      files.push(fileReport(source, 'unchanged'));
      options.onEvent?.({ type: 'file', path: source.path, status: 'unchanged' });
    }
  }

  // Partitions of unchanged files that needed nothing are reported as they stand.
  const reported = new Set(partitions.map((p) => p.captureId));
  for (const source of prepared) {
    for (const partition of source.partitions) {
      const id = partition.existingCaptureId;
      if (id === null || reported.has(id)) continue;
      reported.add(id);
      const capture = await loadCapture(db, id);
      const reached = await stageReached(db, id);
      const quality = await recordedQuality(db, id);
      if (stoppedByQuality(quality) && stageRank(reached) < stageRank(through)) {
        const checks = quality.issues.filter((i) => i.status === 'FAIL' || i.status === 'ERROR').map((i) => i.checkName);
        const message = `Stopped after ${reached} by quality check(s) ${checks.join(', ')}; the same bytes fail the same way. Load a corrected file to continue this (week, tier).`;
        partitions.push(await partitionReport(db, capture, 'unchanged', reached, { code: 'QUALITY_FAILED', message }));
      } else {
        partitions.push(await partitionReport(db, capture, 'unchanged', reached, null));
      }
    }
  }
  partitions.sort((a, b) => (a.partitionKey < b.partitionKey ? -1 : a.partitionKey > b.partitionKey ? 1 : 0));
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const status = files.some((f) => f.status === 'error') || partitions.some((p) => p.error !== null) ? 'failed' : batchId === null ? 'unchanged' : 'ok';
  return { status, batchId, files, partitions };
}

function fileReport(source: PreparedSource, status: FileReport['status']): FileReport {
  return { path: source.path, status, format: source.parsed.format, sha256: source.parsed.sha256, bytes: source.parsed.bytes, lines: source.parsed.lines, error: null };
}

async function partitionReport(
  db: SpineDb,
  capture: CaptureRef & { lines: number },
  status: PartitionReport['status'],
  reached: Stage,
  error: PartitionReport['error'],
): Promise<PartitionReport> {
  const quality = await recordedQuality(db, capture.captureId);
  const accepted = stageRank(reached) >= stageRank('NORMALIZED') ? await countRows(db, 'finra_otc_transparency_weekly_symbol_venue_volume', capture) : await countRows(db, 'finra_otc_transparency_raw', capture);
  return {
    weekEnding: capture.weekEnding,
    tier: capture.tier,
    partitionKey: partitionKey(capture.weekEnding, capture.tier),
    captureId: capture.captureId,
    status,
    stageReached: reached,
    lines: capture.lines,
    accepted,
    rejected: await countRows(db, 'finra_otc_transparency_rejects', capture),
    quality: quality.worst,
    qualityIssues: quality.issues,
    error,
  };
}

async function processCapture(
  db: SpineDb,
  capture: CaptureRef & { lines: number },
  root: ExecutionContext,
  through: Stage,
  options: RunOptions,
): Promise<PartitionReport> {
  const key = partitionKey(capture.weekEnding, capture.tier);
  let reached: Stage = await stageReached(db, capture.captureId);
  const pending = STAGES.filter((s) => stageRank(s) > stageRank(reached) && stageRank(s) <= stageRank(through));
  if (pending.length === 0) return partitionReport(db, capture, 'complete', reached, null);
  const execution = await startExecution(db.executor(), { pipeline: PIPELINES.week, domain: DOMAIN, partitionKey: key, parent: root, params: { captureId: capture.captureId } });
  for (const stage of pending) {
    if (stage === 'INGESTED') continue;
    try {
      await STAGE_RUNNERS[stage](db, capture, execution);
    } catch (error) {
      return partitionReport(db, capture, 'failed', reached, await failStage(db, execution, stage, key, error));
    }
    reached = stage;
    const checks = STAGE_CHECKS[stage] ?? [];
    let quality: QualityStatus | null = null;
    if (checks.length > 0) {
      const run = await runStageChecks(db.executor(), checks, capture);
      await storeResults(db.executor(), run, { domain: DOMAIN, partitionKey: key, pipeline: PIPELINES.week, stage, captureId: capture.captureId, execution });
      quality = run.status;
      if (run.status === 'FAIL' || run.status === 'ERROR') {
        options.onEvent?.({ type: 'stage', partitionKey: key, stage, quality });
        return partitionReport(db, capture, 'stopped', reached, await stopOnQuality(db, execution, stage, key, run.results));
      }
    }
    options.onEvent?.({ type: 'stage', partitionKey: key, stage, quality });
  }
  await finishExecution(db.executor(), execution, { status: 'COMPLETED' });
  return partitionReport(db, capture, 'complete', reached, null);
}

