import { newId, nowIso } from '@market-spine/core';
import type { ExecutionContext, SpineDb, SqlExecutor, SqlValue } from '@market-spine/core';
import { SYMBOL_TOTAL_SUMMARY_TYPE, parseApiSource } from '../parse-api.js';
import type { ApiSymbolTotal, ParsedApiSource } from '../parse-api.js';
import type { IngestReject } from '../parse-source.js';
import { REJECT_CODES } from '../reject-codes.js';
import { insertCalcRows } from './calc-rows.js';
import { REJECT_COLUMNS, groupPartitions, insertCapture, insertLoadRecord, readSourceFile, rejectValues } from './ingest.js';
import type { SourcePartition } from './ingest.js';
import { completeStage } from './stage-record.js';
import { partitionKey } from './stages.js';
import type { CaptureRef } from './stages.js';

/** `source_type` of captures and load records written from FINRA Query API files. */
export const API_SOURCE_TYPE = 'api';

/**
 * Manifest partition key of the symbol totals of a (week, tier):
 * `2024-03-15|NMS_TIER_1|ATS_W_SMBL`, apart from the venue rows' `2024-03-15|NMS_TIER_1`.
 */
export function symbolTotalPartitionKey(capture: Pick<CaptureRef, 'weekEnding' | 'tier'>): string {
  return partitionKey(capture.weekEnding, capture.tier, SYMBOL_TOTAL_SUMMARY_TYPE);
}

/** An API file read, parsed and compared with what the database holds; nothing written yet. */
export interface PreparedApiSource {
  readonly path: string;
  readonly parsed: ParsedApiSource;
  readonly partitions: readonly SourcePartition<ApiSymbolTotal>[];
  /** Rejects whose (week, tier) could not be told, or whose (week, tier) has no accepted record. */
  readonly orphanRejects: readonly IngestReject[];
  /** True when every (week, tier) of the file is already captured from these bytes. */
  readonly unchanged: boolean;
}

/** A capture written from an API file, with its record counts. */
export interface IngestedApiCapture extends CaptureRef {
  /** Records of this (week, tier) in the file. */
  readonly records: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Accepted records FINRA revised after publishing them. */
  readonly revisions: number;
}

/**
 * Reads and parses a FINRA Query API file and looks up which of its
 * (week, tier) partitions are already captured from the same bytes. Writes nothing.
 *
 * @throws SpineError `INPUT_NOT_FOUND` (missing or unreadable file), `INPUT_UNKNOWN_FORMAT` (not an API file)
 */
export async function prepareApiSource(db: SpineDb, path: string): Promise<PreparedApiSource> {
  const parsed = parseApiSource(await readSourceFile(path), path);
  const { partitions, orphanRejects, unchanged } = await groupPartitions(db, parsed.sha256, parsed.rows, parsed.rejects, SYMBOL_TOTAL_SUMMARY_TYPE);
  return { path, parsed, partitions, orphanRejects, unchanged };
}

const TOTAL_COLUMNS = [
  'symbol',
  'summary_type_code',
  'week_start_date',
  'issue_name',
  'product_type_code',
  'total_volume',
  'total_trades',
  'avg_trade_size',
  'total_notional',
  'initial_published_date',
  'source_last_update_date',
  'last_reported_date',
  'is_revision',
  'record_number',
  'record_hash',
] as const;

function totalValues(row: ApiSymbolTotal): SqlValue[] {
  return [
    row.symbol,
    row.summaryTypeCode,
    row.weekStartDate,
    row.issueName,
    row.productTypeCode,
    row.shares,
    row.trades,
    row.trades > 0 ? row.shares / row.trades : null,
    row.notional,
    row.initialPublishedDate,
    row.lastUpdateDate,
    row.lastReportedDate,
    row.isRevision ? 1 : 0,
    row.recordNumber,
    row.recordHash,
  ];
}

const earliest = (dates: readonly string[]): string | null => dates.reduce<string | null>((min, d) => (min === null || d < min ? d : min), null);
const latest = (dates: readonly string[]): string | null => dates.reduce<string | null>((max, d) => (max === null || d > max ? d : max), null);

async function writeApiLoad(tx: SqlExecutor, prepared: PreparedApiSource, execution: ExecutionContext, loadId: string): Promise<IngestedApiCapture[]> {
  const { parsed } = prepared;
  const startedAt = nowIso();
  const common = { loadId, locator: prepared.path, execution, createdAt: startedAt };
  const source = { type: API_SOURCE_TYPE, locator: prepared.path, sha256: parsed.sha256, bytes: parsed.bytes };
  const load = { loadId, sourceType: API_SOURCE_TYPE, locator: prepared.path, sha256: parsed.sha256, bytes: parsed.bytes, format: parsed.format } as const;
  const captures: IngestedApiCapture[] = [];
  const rejectRows: SqlValue[][] = [];
  for (const partition of prepared.partitions.filter((p) => p.existingCaptureId === null)) {
    const capture: CaptureRef = { captureId: newId('cap'), weekEnding: partition.weekEnding, tier: partition.tier, capturedAt: nowIso() };
    const records = partition.rows.length + partition.rejects.length;
    await insertCapture(tx, capture, execution, {
      ...load,
      // The week is in every record (weekStartDate), not derived from a publication date.
      weekEndingSource: 'file',
      lastUpdateDate: latest(partition.rows.map((r) => r.lastUpdateDate)),
      initialPublishedDate: earliest(partition.rows.map((r) => r.initialPublishedDate)),
      lines: records,
    });
    await insertCalcRows(tx, 'weekly_symbol_total', capture, execution, TOTAL_COLUMNS, partition.rows.map(totalValues));
    for (const reject of partition.rejects) rejectRows.push(rejectValues(reject, { ...common, captureId: capture.captureId }));
    // The parser checks a record's structure (INGEST codes) and its values (NORMALIZE codes) in one pass;
    // the manifest keeps the two stages' counts apart, as for the files.
    const ingestRejected = partition.rejects.filter((r) => REJECT_CODES[r.code] === 'INGEST').length;
    const key = symbolTotalPartitionKey(capture);
    await completeStage(tx, execution, capture, 'INGESTED', { rowsIn: records, rowsOut: records - ingestRejected, rejected: ingestRejected }, {
      source,
      metadata: { format: parsed.format, loadId },
      partitionKey: key,
    });
    await completeStage(tx, execution, capture, 'NORMALIZED', { rowsIn: records - ingestRejected, rowsOut: partition.rows.length, rejected: partition.rejects.length - ingestRejected }, { partitionKey: key });
    captures.push({ ...capture, records, accepted: partition.rows.length, rejected: partition.rejects.length, revisions: partition.rows.filter((r) => r.isRevision).length });
  }
  for (const reject of prepared.orphanRejects) rejectRows.push(rejectValues(reject, { ...common, captureId: null }));
  await tx.insertRows('finra_otc_transparency_rejects', REJECT_COLUMNS, rejectRows);
  await insertLoadRecord(tx, execution, {
    ...load,
    accepted: captures.reduce((n, c) => n + c.accepted, 0),
    rejected: rejectRows.length,
    partitions: captures.map(symbolTotalPartitionKey),
    startedAt,
  });
  return captures;
}

/**
 * The ingest of an API file: writes its new (week, tier) partitions —
 * captures (source_type `api`, with initialPublishedDate and lastUpdateDate),
 * `weekly_symbol_total` rows, rejects, the load record and the INGESTED and
 * NORMALIZED manifest rows of each capture — in one transaction, so a failure
 * leaves nothing of the file. Partitions already captured from the same
 * bytes are not written again. No venue row is written: symbol totals are not
 * venue volume.
 */
export async function ingestApiPrepared(db: SpineDb, prepared: PreparedApiSource, execution: ExecutionContext): Promise<{ loadId: string; captures: IngestedApiCapture[] }> {
  const loadId = newId('load');
  const captures = await db.transaction((tx) => writeApiLoad(tx, prepared, execution, loadId));
  return { loadId, captures };
}
