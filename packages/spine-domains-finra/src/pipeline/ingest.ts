import { readFile } from 'node:fs/promises';
import { ErrorCode, SpineError, newId, nowIso } from '@market-spine/core';
import type { ExecutionContext, SpineDb, SqlExecutor, SqlValue } from '@market-spine/core';
import { parseSource } from '../parse-source.js';
import type { IngestReject, ParsedRow, ParsedSource, ParseOptions, WeekEndingSource } from '../parse-source.js';
import { REJECT_CODES } from '../reject-codes.js';
import type { FinraTier } from '../tiers.js';
import { completeStage } from './stage-record.js';
import { DOMAIN, partitionKey } from './stages.js';
import type { CaptureRef } from './stages.js';

/** A (week, tier) found in a source file, with its rows (file lines, or API records). */
export interface SourcePartition<R = ParsedRow> {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  readonly partitionKey: string;
  readonly rows: readonly R[];
  readonly rejects: readonly IngestReject[];
  /** The capture that already holds this content (same week, tier and file bytes), if any. */
  readonly existingCaptureId: string | null;
}

/** A source file read, parsed and compared with what the database already holds; nothing written yet. */
export interface PreparedSource {
  readonly path: string;
  readonly parsed: ParsedSource;
  readonly partitions: readonly SourcePartition[];
  /** Rejects that belong to no (week, tier) of the file, e.g. an invalid WeekEnding. */
  readonly orphanRejects: readonly IngestReject[];
  /** True when the file adds nothing: every partition is already captured from these bytes. */
  readonly unchanged: boolean;
}

/** What one file's ingest wrote. */
export interface IngestedSource {
  readonly loadId: string;
  readonly captures: readonly (CaptureRef & { readonly lines: number; readonly accepted: number; readonly rejected: number })[];
  readonly linesWritten: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
}

const RAW_COLUMNS = [
  'capture_id',
  'load_id',
  'line_number',
  'week_ending',
  'tier',
  'source_tier',
  'source_week_ending',
  'symbol',
  'issue_name',
  'market_participant_name',
  'mpid',
  'total_weekly_share_quantity',
  'total_weekly_trade_count',
  'source_last_update_date',
  'raw_line',
  'record_hash',
  'captured_at',
  'execution_id',
  'batch_id',
] as const;

/** Columns of `finra_otc_transparency_rejects` written by the pipeline, in this order. */
export const REJECT_COLUMNS = [
  'load_id',
  'capture_id',
  'week_ending',
  'tier',
  'source_locator',
  'line_number',
  'raw_line',
  'raw_record_hash',
  'stage',
  'reason_code',
  'reason_detail',
  'execution_id',
  'batch_id',
  'created_at',
] as const;

/**
 * The bytes of a source file.
 *
 * @throws SpineError `INPUT_NOT_FOUND` when the file is missing or unreadable
 */
export async function readSourceFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SpineError(ErrorCode.INPUT_NOT_FOUND, `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      hint: 'Check the path; pass FINRA OTC transparency files or a folder holding them.',
      cause: error,
    });
  }
}

/**
 * Reads and parses a source file and looks up which of its (week, tier)
 * partitions are already captured from the same bytes. Writes nothing.
 *
 * @throws SpineError `INPUT_NOT_FOUND` (missing or unreadable file), `INPUT_UNKNOWN_FORMAT`
 */
export async function prepareSource(db: SpineDb, path: string, options: Omit<ParseOptions, 'locator'>): Promise<PreparedSource> {
  const content = await readSourceFile(path);
  const parsed = parseSource(content, { ...options, locator: path });
  const { partitions, orphanRejects, unchanged } = await groupPartitions(db, parsed.sha256, parsed.rows, parsed.rejects);
  return { path, parsed, partitions, orphanRejects, unchanged };
}

/**
 * Groups a parsed source's rows and rejects by (week, tier) and looks up which
 * groups are already captured from the same bytes (`existingCaptureId`).
 * Rejects that belong to no (week, tier) are `orphanRejects`. `unchanged`: every
 * group is captured already, or — for a source with no group at all — a load
 * of the same bytes is recorded.
 *
 * @param grain the manifest partition key's grain suffix (see {@link partitionKey})
 */
export async function groupPartitions<R extends { readonly weekEnding: string; readonly tier: FinraTier }>(
  db: SpineDb,
  sha256: string,
  rows: readonly R[],
  rejects: readonly IngestReject[],
  grain?: string,
): Promise<{ partitions: SourcePartition<R>[]; orphanRejects: IngestReject[]; unchanged: boolean }> {
  const groups = new Map<string, { weekEnding: string; tier: FinraTier; rows: R[]; rejects: IngestReject[] }>();
  for (const row of rows) {
    const key = partitionKey(row.weekEnding, row.tier, grain);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { weekEnding: row.weekEnding, tier: row.tier, rows: [], rejects: [] }));
    group.rows.push(row);
  }
  const orphanRejects: IngestReject[] = [];
  for (const reject of rejects) {
    const group = reject.weekEnding !== null && reject.tier !== null ? groups.get(partitionKey(reject.weekEnding, reject.tier, grain)) : undefined;
    if (group) group.rejects.push(reject);
    else orphanRejects.push(reject);
  }
  const partitions: SourcePartition<R>[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const existing = await db.kysely
      .selectFrom('finra_otc_transparency_captures')
      .select('capture_id')
      .where('week_ending', '=', group.weekEnding)
      .where('tier', '=', group.tier)
      .where('source_sha256', '=', sha256)
      .executeTakeFirst();
    partitions.push({ ...group, partitionKey: key, existingCaptureId: (existing?.capture_id as string | undefined) ?? null });
  }
  const previousLoad =
    partitions.length === 0
      ? await db.kysely
          .selectFrom('core_load_records')
          .select('load_id')
          .where('domain', '=', DOMAIN)
          .where('source_sha256', '=', sha256)
          .where('status', '=', 'LOADED')
          .executeTakeFirst()
      : undefined;
  const unchanged = partitions.length > 0 ? partitions.every((p) => p.existingCaptureId !== null) : previousLoad !== undefined;
  return { partitions, orphanRejects, unchanged };
}

/** The values of a reject row ({@link REJECT_COLUMNS}); the stage is the one seed 001 assigns to its reason code. */
export function rejectValues(
  reject: IngestReject,
  ctx: { loadId: string; captureId: string | null; locator: string; execution: ExecutionContext; createdAt: string },
): SqlValue[] {
  return [
    ctx.loadId,
    ctx.captureId,
    reject.weekEnding,
    reject.tier,
    ctx.locator,
    reject.lineNumber,
    reject.raw,
    reject.recordHash,
    REJECT_CODES[reject.code],
    reject.code,
    reject.detail,
    ctx.execution.executionId,
    ctx.execution.batchId,
    ctx.createdAt,
  ];
}

/** What a load of one source wrote, for its `core_load_records` row. */
export interface LoadRecord {
  readonly loadId: string;
  readonly sourceType: 'file' | 'api';
  readonly locator: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  /** Rows accepted (lines or records). */
  readonly accepted: number;
  /** Rejects stored. */
  readonly rejected: number;
  /** Manifest partition keys of the captures written. */
  readonly partitions: readonly string[];
  /** ISO-8601 UTC instant the load began. */
  readonly startedAt: string;
}

/** Writes the `core_load_records` row of a completed load (lines_total = accepted + rejected). */
export async function insertLoadRecord(tx: SqlExecutor, execution: ExecutionContext, load: LoadRecord): Promise<void> {
  await tx.kysely
    .insertInto('core_load_records')
    .values({
      load_id: load.loadId,
      domain: DOMAIN,
      source_type: load.sourceType,
      source_locator: load.locator,
      source_sha256: load.sha256,
      source_bytes: load.bytes,
      source_format: load.format,
      status: 'LOADED',
      lines_total: load.accepted + load.rejected,
      rows_accepted: load.accepted,
      rows_rejected: load.rejected,
      partitions: JSON.stringify(load.partitions),
      execution_id: execution.executionId,
      batch_id: execution.batchId,
      started_at: load.startedAt,
      completed_at: nowIso(),
    })
    .execute();
}

/** Where a capture's content came from: its load's source, the capture's own source clocks and its line count. */
export interface CaptureSource extends Pick<LoadRecord, 'loadId' | 'sourceType' | 'locator' | 'sha256' | 'bytes' | 'format'> {
  readonly weekEndingSource: WeekEndingSource;
  /** FINRA lastUpdateDate, the latest of the capture's rows. */
  readonly lastUpdateDate: string | null;
  /** FINRA initialPublishedDate, the earliest of the capture's rows (API records only). */
  readonly initialPublishedDate: string | null;
  /** Input lines (or records) of the capture = accepted + rejected. */
  readonly lines: number;
}

/** Writes a capture's `finra_otc_transparency_captures` row (stage INGESTED until its stages record more). */
export async function insertCapture(tx: SqlExecutor, capture: CaptureRef, execution: ExecutionContext, source: CaptureSource): Promise<void> {
  await tx.kysely
    .insertInto('finra_otc_transparency_captures')
    .values({
      capture_id: capture.captureId,
      week_ending: capture.weekEnding,
      tier: capture.tier,
      week_ending_source: source.weekEndingSource,
      load_id: source.loadId,
      source_type: source.sourceType,
      source_locator: source.locator,
      source_sha256: source.sha256,
      source_bytes: source.bytes,
      source_format: source.format,
      source_last_update_date: source.lastUpdateDate,
      source_initial_published_date: source.initialPublishedDate,
      lines_total: source.lines,
      captured_at: capture.capturedAt,
      execution_id: execution.executionId,
      batch_id: execution.batchId,
    })
    .execute();
}

async function writeLoad(tx: SqlExecutor, prepared: PreparedSource, execution: ExecutionContext, loadId: string): Promise<IngestedSource> {
  const { parsed } = prepared;
  const fresh = prepared.partitions.filter((p) => p.existingCaptureId === null);
  const now = nowIso();
  const captures: (CaptureRef & { lines: number; accepted: number; rejected: number })[] = [];
  const rawRows: SqlValue[][] = [];
  const rejectRows: SqlValue[][] = [];
  const common = { loadId, locator: prepared.path, execution, createdAt: now };
  const load = { loadId, sourceType: 'file', locator: prepared.path, sha256: parsed.sha256, bytes: parsed.bytes, format: parsed.format } as const;

  for (const partition of fresh) {
    const capture: CaptureRef = { captureId: newId('cap'), weekEnding: partition.weekEnding, tier: partition.tier, capturedAt: nowIso() };
    const lastUpdate = partition.rows.reduce<string | null>((max, r) => (r.lastUpdateDate !== null && (max === null || r.lastUpdateDate > max) ? r.lastUpdateDate : max), null);
    const lines = partition.rows.length + partition.rejects.length;
    await insertCapture(tx, capture, execution, { ...load, weekEndingSource: partition.rows[0]?.weekEndingSource ?? 'derived', lastUpdateDate: lastUpdate, initialPublishedDate: null, lines });
    for (const row of partition.rows) {
      rawRows.push([
        capture.captureId,
        loadId,
        row.lineNumber,
        row.weekEnding,
        row.tier,
        row.sourceTier,
        row.sourceWeekEnding,
        row.symbol,
        row.issueName,
        row.marketParticipantName,
        row.mpid,
        row.shares,
        row.trades,
        row.lastUpdateDate,
        row.raw,
        row.recordHash,
        capture.capturedAt,
        execution.executionId,
        execution.batchId,
      ]);
    }
    for (const reject of partition.rejects) rejectRows.push(rejectValues(reject, { ...common, captureId: capture.captureId }));
    captures.push({ ...capture, lines, accepted: partition.rows.length, rejected: partition.rejects.length });
  }
  for (const reject of prepared.orphanRejects) rejectRows.push(rejectValues(reject, { ...common, captureId: null }));

  await tx.insertRows('finra_otc_transparency_raw', RAW_COLUMNS, rawRows);
  await tx.insertRows('finra_otc_transparency_rejects', REJECT_COLUMNS, rejectRows);
  await insertLoadRecord(tx, execution, {
    ...load,
    accepted: rawRows.length,
    rejected: rejectRows.length,
    partitions: captures.map((c) => partitionKey(c.weekEnding, c.tier)),
    startedAt: now,
  });
  for (const capture of captures) {
    await completeStage(tx, execution, capture, 'INGESTED', { rowsIn: capture.lines, rowsOut: capture.accepted, rejected: capture.rejected }, {
      source: { type: 'file', locator: prepared.path, sha256: parsed.sha256, bytes: parsed.bytes },
      metadata: { format: parsed.format, loadId },
    });
  }
  return { loadId, captures, linesWritten: rawRows.length + rejectRows.length, rowsAccepted: rawRows.length, rowsRejected: rejectRows.length };
}

/**
 * The ingest stage: writes the new partitions of a prepared file — captures,
 * raw rows, ingest rejects, the load record and an INGESTED manifest row per
 * capture — in one transaction, so a failure leaves nothing of the file.
 * Partitions already captured from the same bytes are not written again.
 */
export async function ingestPrepared(db: SpineDb, prepared: PreparedSource, execution: ExecutionContext): Promise<IngestedSource> {
  const loadId = newId('load');
  return db.transaction((tx) => writeLoad(tx, prepared, execution, loadId));
}
