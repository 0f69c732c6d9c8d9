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

/** A data line's fields, named alike for both layouts (null where a layout has no such field). */
interface LineFields {
  readonly tierText: string;
  readonly weekText: string | null;
  readonly symbol: string;
  readonly issueName: string | null;
  readonly participant: string | null;
  readonly mpid: string;
  readonly sharesText: string;
  readonly tradesText: string;
  readonly lastUpdate: string | null;
}

const COUNT_FIELDS: Readonly<Record<SourceFormat, readonly [string, string]>> = {
  finra_website_export: ['totalWeeklyShareQuantity', 'totalWeeklyTradeCount'],
  six_column: ['TotalShares', 'TotalTrades'],
};

function websiteFields(record: readonly string[]): LineFields {
  const [tierText, symbol, issueName, participant, mpid, sharesText, tradesText, lastUpdate] = record as [string, string, string, string, string, string, string, string];
  return { tierText, weekText: null, symbol, issueName, participant, mpid, sharesText, tradesText, lastUpdate };
}

function sixColumnFields(record: readonly string[]): LineFields {
  const [weekText, tierText, symbol, mpid, sharesText, tradesText] = record as [string, string, string, string, string, string];
  return { tierText, weekText, symbol, issueName: null, participant: null, mpid, sharesText, tradesText, lastUpdate: null };
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
  // No quoting in these layouts, so a record is exactly one line: its number is
  // its index + 1 and its text is its fields joined by '|' (cheaper than asking
  // csv-parse for raw text and line info, which triples its time).
  let records: string[][];
  try {
    records = parseCsv(content, {
      delimiter: '|',
      quote: false,
      relax_column_count: true,
      skip_empty_lines: false,
      bom: true,
      encoding: 'utf8',
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
  } catch (error) {
    throw new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${options.locator} cannot be read as pipe-delimited text: ${errorMessage(error)}`, { cause: error });
  }
  const [header, ...data] = records;
  if (!header) {
    throw new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${options.locator} is empty.`, { hint: 'Pass a FINRA OTC transparency file with its header line.' });
  }
  const format = detectFormat(header, options.locator);
  // A file repeats a handful of dates thousands of times; calendar parsing is the costly part.
  const dates = new Map<string, ReturnType<typeof parseIsoDate>>();
  const dateOf = (text: string) => {
    if (!dates.has(text)) dates.set(text, parseIsoDate(text));
    return dates.get(text);
  };
  // Rows and rejects are built with literal properties and completed in place:
  // object spreads over thousands of rows dominated the parse time.
  const pending: { -readonly [K in keyof ParsedRow]: K extends 'weekEnding' ? string | null : ParsedRow[K] }[] = [];
  const rejects: { -readonly [K in keyof IngestReject]: IngestReject[K] }[] = [];

  for (const [index, record] of data.entries()) {
    const raw = record.join('|');
    const lineNumber = index + 2;
    const recordHash = sha256(raw);
    const reject = (code: RejectCode, detail: string, weekEnding: string | null = null, tier: FinraTier | null = null) =>
      rejects.push({ lineNumber, raw, recordHash, code, detail, weekEnding, tier });
    const expected = format === 'finra_website_export' ? WEBSITE_EXPORT_HEADER.length : SIX_COLUMN_HEADER.length;
    if (record.length !== expected) {
      reject('PARSE_ERROR', raw.trim() === '' ? 'empty line' : `expected ${expected} fields, found ${record.length}`);
      continue;
    }
    const fields = format === 'finra_website_export' ? websiteFields(record) : sixColumnFields(record);
    const tier = resolveTier(fields.tierText, options.tier);
    let weekEnding = options.weekEnding ?? null;
    if (weekEnding === null && fields.weekText !== null) {
      const date = dateOf(fields.weekText.trim());
      const tierHint = tier.ok ? tier.value : null;
      if (!date) {
        reject('INVALID_DATE', `WeekEnding is not a date: ${JSON.stringify(fields.weekText)}`, null, tierHint);
        continue;
      }
      if (!isFriday(date)) {
        reject('NOT_FRIDAY', `WeekEnding ${date.toString()} is not a Friday`, null, tierHint);
        continue;
      }
      weekEnding = date.toString();
    }
    if (!tier.ok) {
      reject(tier.code, tier.detail, weekEnding);
      continue;
    }
    const counts = parseCounts(fields.sharesText, fields.tradesText, COUNT_FIELDS[format]);
    if (!counts.ok) {
      reject(counts.code, counts.detail, weekEnding, tier.value);
      continue;
    }
    const lastUpdateDate = fields.lastUpdate === null ? null : fields.lastUpdate.trim();
    if (lastUpdateDate !== null && !dateOf(lastUpdateDate)) {
      reject('INVALID_DATE', `lastUpdateDate is not a date: ${JSON.stringify(fields.lastUpdate)}`, weekEnding, tier.value);
      continue;
    }
    pending.push({
      lineNumber,
      raw,
      recordHash,
      weekEnding,
      weekEndingSource: options.weekEnding !== undefined ? 'override' : fields.weekText === null ? 'derived' : 'file',
      tier: tier.value,
      sourceTier: fields.tierText,
      sourceWeekEnding: fields.weekText,
      symbol: fields.symbol,
      issueName: fields.issueName,
      marketParticipantName: fields.participant,
      mpid: fields.mpid,
      shares: counts.value.shares,
      trades: counts.value.trades,
      lastUpdateDate,
    });
  }

  // Website export: one derived week per tier, from the earliest lastUpdateDate (the publication).
  const publication = new Map<FinraTier, string>();
  for (const row of pending) {
    if (row.weekEnding !== null || row.lastUpdateDate === null) continue;
    const seen = publication.get(row.tier);
    if (seen === undefined || row.lastUpdateDate < seen) publication.set(row.tier, row.lastUpdateDate);
  }
  const derived = new Map([...publication].map(([tier, date]) => [tier, deriveWeekEnding(date, tier)]));
  for (const row of pending) row.weekEnding ??= derived.get(row.tier) as string;
  for (const reject of rejects) if (reject.weekEnding === null && reject.tier !== null) reject.weekEnding = derived.get(reject.tier) ?? null;

  return { format, sha256: sha256(content), bytes: content.length, lines: data.length, rows: pending as ParsedRow[], rejects };
}
