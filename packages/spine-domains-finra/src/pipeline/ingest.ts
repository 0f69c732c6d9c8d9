import { readFile } from 'node:fs/promises';
import { ErrorCode, SpineError, newId, nowIso } from '@market-spine/core';
import type { ExecutionContext, SpineDb, SqlExecutor, SqlValue } from '@market-spine/core';
import { parseSource } from '../parse-source.js';
import type { IngestReject, ParsedRow, ParsedSource, ParseOptions } from '../parse-source.js';
import type { FinraTier } from '../tiers.js';
import { completeStage } from './stage-record.js';
import { DOMAIN, partitionKey } from './stages.js';
import type { CaptureRef } from './stages.js';

/** A (week, tier) found in a source file. */
export interface SourcePartition {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  readonly partitionKey: string;
  readonly rows: readonly ParsedRow[];
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
 * Reads and parses a source file and looks up which of its (week, tier)
 * partitions are already captured from the same bytes. Writes nothing.
 *
 * @throws SpineError `INPUT_NOT_FOUND` (missing or unreadable file), `INPUT_UNKNOWN_FORMAT`
 */
export async function prepareSource(db: SpineDb, path: string, options: Omit<ParseOptions, 'locator'>): Promise<PreparedSource> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new SpineError(ErrorCode.INPUT_NOT_FOUND, `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      hint: 'Check the path; pass FINRA OTC transparency files or a folder holding them.',
      cause: error,
    });
  }
  const parsed = parseSource(content, { ...options, locator: path });
  const groups = new Map<string, { weekEnding: string; tier: FinraTier; rows: ParsedRow[]; rejects: IngestReject[] }>();
  for (const row of parsed.rows) {
    const key = partitionKey(row.weekEnding, row.tier);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { weekEnding: row.weekEnding, tier: row.tier, rows: [], rejects: [] }));
    group.rows.push(row);
  }
  const orphanRejects: IngestReject[] = [];
  for (const reject of parsed.rejects) {
    const group = reject.weekEnding !== null && reject.tier !== null ? groups.get(partitionKey(reject.weekEnding, reject.tier)) : undefined;
    if (group) group.rejects.push(reject);
    else orphanRejects.push(reject);
  }
  const partitions: SourcePartition[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const existing = await db.kysely
      .selectFrom('finra_otc_transparency_captures')
      .select('capture_id')
      .where('week_ending', '=', group.weekEnding)
      .where('tier', '=', group.tier)
      .where('source_sha256', '=', parsed.sha256)
      .executeTakeFirst();
    partitions.push({ ...group, partitionKey: key, existingCaptureId: (existing?.capture_id as string | undefined) ?? null });
  }
  const previousLoad =
    partitions.length === 0
      ? await db.kysely
          .selectFrom('core_load_records')
          .select('load_id')
          .where('domain', '=', DOMAIN)
          .where('source_sha256', '=', parsed.sha256)
          .where('status', '=', 'LOADED')
          .executeTakeFirst()
      : undefined;
  const unchanged = partitions.length > 0 ? partitions.every((p) => p.existingCaptureId !== null) : previousLoad !== undefined;
  return { path, parsed, partitions, orphanRejects, unchanged };
}

function rejectValues(
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
    'INGEST',
    reject.code,
    reject.detail,
    ctx.execution.executionId,
    ctx.execution.batchId,
    ctx.createdAt,
  ];
}

async function writeLoad(tx: SqlExecutor, prepared: PreparedSource, execution: ExecutionContext, loadId: string): Promise<IngestedSource> {
  const { parsed } = prepared;
  const fresh = prepared.partitions.filter((p) => p.existingCaptureId === null);
  const now = nowIso();
  const captures: (CaptureRef & { lines: number; accepted: number; rejected: number })[] = [];
  const rawRows: SqlValue[][] = [];
  const rejectRows: SqlValue[][] = [];
  const common = { loadId, locator: prepared.path, execution, createdAt: now };

  for (const partition of fresh) {
    const capture: CaptureRef = { captureId: newId('cap'), weekEnding: partition.weekEnding, tier: partition.tier, capturedAt: nowIso() };
    const lastUpdate = partition.rows.reduce<string | null>((max, r) => (r.lastUpdateDate !== null && (max === null || r.lastUpdateDate > max) ? r.lastUpdateDate : max), null);
    const lines = partition.rows.length + partition.rejects.length;
    await tx.kysely
      .insertInto('finra_otc_transparency_captures')
      .values({
        capture_id: capture.captureId,
        week_ending: capture.weekEnding,
        tier: capture.tier,
        week_ending_source: partition.rows[0]?.weekEndingSource ?? 'derived',
        load_id: loadId,
        source_type: 'file',
        source_locator: prepared.path,
        source_sha256: parsed.sha256,
        source_bytes: parsed.bytes,
        source_format: parsed.format,
        source_last_update_date: lastUpdate,
        lines_total: lines,
        captured_at: capture.capturedAt,
        execution_id: execution.executionId,
        batch_id: execution.batchId,
      })
      .execute();
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
  await tx.kysely
    .insertInto('core_load_records')
    .values({
      load_id: loadId,
      domain: DOMAIN,
      source_type: 'file',
      source_locator: prepared.path,
      source_sha256: parsed.sha256,
      source_bytes: parsed.bytes,
      source_format: parsed.format,
      status: 'LOADED',
      lines_total: rawRows.length + rejectRows.length,
      rows_accepted: rawRows.length,
      rows_rejected: rejectRows.length,
      partitions: JSON.stringify(captures.map((c) => partitionKey(c.weekEnding, c.tier))),
      execution_id: execution.executionId,
      batch_id: execution.batchId,
      started_at: now,
      completed_at: nowIso(),
    })
    .execute();
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
