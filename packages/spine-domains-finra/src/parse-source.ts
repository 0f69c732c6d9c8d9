import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { ErrorCode, SpineError, errorMessage } from '@market-spine/core';
import type { RejectCode } from './reject-codes.js';
import { tierFromAlias } from './tiers.js';
import type { FinraTier } from './tiers.js';
import { deriveWeekEnding, isFriday, parseIsoDate } from './week.js';

/** Layouts the parser knows (DESIGN.md "Input"). */
export type SourceFormat = 'finra_website_export' | 'six_column';

/** FINRA website export header: pipe-delimited, 8 columns. */
export const WEBSITE_EXPORT_HEADER = [
  'tierDescription',
  'issueSymbolIdentifier',
  'issueName',
  'marketParticipantName',
  'MPID',
  'totalWeeklyShareQuantity',
  'totalWeeklyTradeCount',
  'lastUpdateDate',
] as const;

/** The 6-column form: `WeekEnding|Tier|Symbol|MPID|TotalShares|TotalTrades`. */
export const SIX_COLUMN_HEADER = ['WeekEnding', 'Tier', 'Symbol', 'MPID', 'TotalShares', 'TotalTrades'] as const;

/** Where a row's week_ending came from. */
export type WeekEndingSource = 'derived' | 'override' | 'file';

/** An input line accepted by the ingest stage: structurally sound, numbers parsed. */
export interface ParsedRow {
  /** 1-based line number in the file (the header is line 1). */
  readonly lineNumber: number;
  /** The line as delivered, without its line break. */
  readonly raw: string;
  /** sha256 (hex) of {@link ParsedRow.raw}. */
  readonly recordHash: string;
  readonly weekEnding: string;
  readonly weekEndingSource: WeekEndingSource;
  readonly tier: FinraTier;
  /** The tier text as written in the file. */
  readonly sourceTier: string;
  /** WeekEnding as written (6-column form), else null. */
  readonly sourceWeekEnding: string | null;
  /** Symbol as written (validated by the normalize stage). */
  readonly symbol: string;
  readonly issueName: string | null;
  readonly marketParticipantName: string | null;
  /** MPID as written (validated by the normalize stage). */
  readonly mpid: string;
  /** Shares traded in the week (may be negative here; normalize rejects that). */
  readonly shares: number;
  /** Trades in the week (may be negative here; normalize rejects that). */
  readonly trades: number;
  /** FINRA lastUpdateDate (`YYYY-MM-DD`), website export only. */
  readonly lastUpdateDate: string | null;
}

/** An input line refused by the ingest stage, with its seed 001 reason code. */
export interface IngestReject {
  readonly lineNumber: number;
  readonly raw: string;
  readonly recordHash: string;
  readonly code: RejectCode;
  readonly detail: string;
  /** The (week, tier) the line belongs to, when it could be told. */
  readonly weekEnding: string | null;
  readonly tier: FinraTier | null;
}

/** A parsed source file: every data line is in exactly one of `rows` and `rejects`. */
export interface ParsedSource {
  readonly format: SourceFormat;
  /** sha256 (hex) of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
  /** Data lines (the header excluded; a final line break does not start a line). */
  readonly lines: number;
  readonly rows: readonly ParsedRow[];
  readonly rejects: readonly IngestReject[];
}

/** Options of {@link parseSource}. */
export interface ParseOptions {
  /** Business week to assign to every row (`--week-ending`), a validated Friday. */
  readonly weekEnding?: string;
  /** Declared tier (`--tier`): fills empty tier fields; rows naming another tier are rejected. */
  readonly tier?: FinraTier;
  /** File name, for error messages. */
  readonly locator: string;
}

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

const INTEGER = /^[+-]?\d+$/;

type FieldResult<T> = { ok: true; value: T } | { ok: false; code: RejectCode; detail: string };

function parseInteger(value: string, field: string): FieldResult<number> {
  const text = value.trim();
  if (!INTEGER.test(text)) return { ok: false, code: 'PARSE_ERROR', detail: `${field} is not an integer: ${JSON.stringify(value)}` };
  const number = Number(text);
  if (!Number.isSafeInteger(number)) return { ok: false, code: 'PARSE_ERROR', detail: `${field} is out of range: ${text}` };
  return { ok: true, value: number };
}

/** Shares and trades of a row, both integers, or the first field that is not. */
function parseCounts(sharesText: string, tradesText: string, names: readonly [string, string]): FieldResult<{ shares: number; trades: number }> {
  const shares = parseInteger(sharesText, names[0]);
  if (!shares.ok) return shares;
  const trades = parseInteger(tradesText, names[1]);
  if (!trades.ok) return trades;
  return { ok: true, value: { shares: shares.value, trades: trades.value } };
}

function resolveTier(value: string, declared: FinraTier | undefined): FieldResult<FinraTier> {
  const text = value.trim();
  if (text === '' && declared) return { ok: true, value: declared };
  const tier = tierFromAlias(text);
  if (!tier) return { ok: false, code: 'INVALID_TIER', detail: `unknown tier ${JSON.stringify(value)}` };
  if (declared && tier !== declared) {
    return { ok: false, code: 'INVALID_TIER', detail: `tier ${JSON.stringify(value)} differs from the declared tier ${declared}` };
  }
  return { ok: true, value: tier };
}

function detectFormat(header: readonly string[], locator: string): SourceFormat {
  const names = header.map((h) => h.trim());
  const matches = (expected: readonly string[]) => names.length === expected.length && expected.every((n, i) => names[i] === n);
  if (matches(WEBSITE_EXPORT_HEADER)) return 'finra_website_export';
  if (matches(SIX_COLUMN_HEADER)) return 'six_column';
  throw new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${locator} is not a known FINRA OTC transparency layout (header ${JSON.stringify(names.join('|'))}).`, {
    hint: `Expected the FINRA website export header "${WEBSITE_EXPORT_HEADER.join('|')}" or "${SIX_COLUMN_HEADER.join('|')}".`,
  });
}

interface CsvRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/**
 * Parses a FINRA OTC transparency file (website export or 6-column form) into
 * accepted rows and ingest rejects. Pure: reads nothing, writes nothing.
 *
 * The website export carries no week; each tier's week_ending is derived from
 * the earliest `lastUpdateDate` of its accepted rows (the publication date;
 * later dates are revisions), unless `weekEnding` is given.
 *
 * @param content the file's bytes
 * @throws SpineError `INPUT_UNKNOWN_FORMAT` when the header is not a known layout (nothing is parsed)
 */
export function parseSource(content: Buffer, options: ParseOptions): ParsedSource {
  let records: CsvRecord[];
  try {
    records = parseCsv(content, {
      delimiter: '|',
      quote: false,
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
      info: true,
      bom: true,
      encoding: 'utf8',
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as CsvRecord[];
  } catch (error) {
    throw new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${options.locator} cannot be read as pipe-delimited text: ${errorMessage(error)}`, { cause: error });
  }
  const [header, ...data] = records;
  if (!header) {
    throw new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${options.locator} is empty.`, { hint: 'Pass a FINRA OTC transparency file with its header line.' });
  }
  const format = detectFormat(header.record, options.locator);
  // A file repeats a handful of dates thousands of times; calendar parsing is the costly part.
  const dates = new Map<string, ReturnType<typeof parseIsoDate>>();
  const dateOf = (text: string) => {
    if (!dates.has(text)) dates.set(text, parseIsoDate(text));
    return dates.get(text);
  };
  const pending: (Omit<ParsedRow, 'weekEnding' | 'weekEndingSource'> & { weekEnding: string | null; weekEndingSource: WeekEndingSource })[] = [];
  const rejects: IngestReject[] = [];

  for (const { record, raw: rawWithBreak, info } of data) {
    const raw = rawWithBreak.replace(/\r?\n$|\r$/, '');
    const base = { lineNumber: info.lines, raw, recordHash: sha256(raw) };
    const reject = (code: RejectCode, detail: string, weekEnding: string | null = null, tier: FinraTier | null = null) =>
      rejects.push({ ...base, code, detail, weekEnding, tier });
    const expected = format === 'finra_website_export' ? WEBSITE_EXPORT_HEADER.length : SIX_COLUMN_HEADER.length;
    if (record.length !== expected) {
      reject('PARSE_ERROR', raw.trim() === '' ? 'empty line' : `expected ${expected} fields, found ${record.length}`);
      continue;
    }
    if (format === 'finra_website_export') {
      const [tierText, symbol, issueName, participant, mpid, sharesText, tradesText, lastUpdate] = record as [string, string, string, string, string, string, string, string];
      const weekEnding = options.weekEnding ?? null;
      const tier = resolveTier(tierText, options.tier);
      if (!tier.ok) {
        reject(tier.code, tier.detail, weekEnding);
        continue;
      }
      const counts = parseCounts(sharesText, tradesText, ['totalWeeklyShareQuantity', 'totalWeeklyTradeCount']);
      if (!counts.ok) {
        reject(counts.code, counts.detail, weekEnding, tier.value);
        continue;
      }
      if (!dateOf(lastUpdate.trim())) {
        reject('INVALID_DATE', `lastUpdateDate is not a date: ${JSON.stringify(lastUpdate)}`, weekEnding, tier.value);
        continue;
      }
      pending.push({
        ...base,
        weekEnding,
        weekEndingSource: weekEnding === null ? 'derived' : 'override',
        tier: tier.value,
        sourceTier: tierText,
        sourceWeekEnding: null,
        symbol,
        issueName,
        marketParticipantName: participant,
        mpid,
        ...counts.value,
        lastUpdateDate: lastUpdate.trim(),
      });
    } else {
      const [weekText, tierText, symbol, mpid, sharesText, tradesText] = record as [string, string, string, string, string, string];
      let weekEnding = options.weekEnding ?? null;
      const tier = resolveTier(tierText, options.tier);
      if (weekEnding === null) {
        const date = dateOf(weekText.trim());
        if (!date) {
          reject('INVALID_DATE', `WeekEnding is not a date: ${JSON.stringify(weekText)}`, null, tier.ok ? tier.value : null);
          continue;
        }
        if (!isFriday(date)) {
          reject('NOT_FRIDAY', `WeekEnding ${date.toString()} is not a Friday`, null, tier.ok ? tier.value : null);
          continue;
        }
        weekEnding = date.toString();
      }
      if (!tier.ok) {
        reject(tier.code, tier.detail, weekEnding);
        continue;
      }
      const counts = parseCounts(sharesText, tradesText, ['TotalShares', 'TotalTrades']);
      if (!counts.ok) {
        reject(counts.code, counts.detail, weekEnding, tier.value);
        continue;
      }
      pending.push({
        ...base,
        weekEnding,
        weekEndingSource: options.weekEnding === undefined ? 'file' : 'override',
        tier: tier.value,
        sourceTier: tierText,
        sourceWeekEnding: weekText,
        symbol,
        issueName: null,
        marketParticipantName: null,
        mpid,
        ...counts.value,
        lastUpdateDate: null,
      });
    }
  }

  // Website export: one derived week per tier, from the earliest lastUpdateDate (the publication).
  const publication = new Map<FinraTier, string>();
  for (const row of pending) {
    if (row.weekEnding !== null || row.lastUpdateDate === null) continue;
    const seen = publication.get(row.tier);
    if (seen === undefined || row.lastUpdateDate < seen) publication.set(row.tier, row.lastUpdateDate);
  }
  const derived = new Map([...publication].map(([tier, date]) => [tier, deriveWeekEnding(date, tier)]));
  const rows: ParsedRow[] = pending.map((row) => ({ ...row, weekEnding: row.weekEnding ?? (derived.get(row.tier) as string) }));
  const placedRejects = rejects.map((r) => (r.weekEnding === null && r.tier !== null ? { ...r, weekEnding: derived.get(r.tier) ?? null } : r));

  return { format, sha256: sha256(content), bytes: content.length, lines: data.length, rows, rejects: placedRejects };
}
