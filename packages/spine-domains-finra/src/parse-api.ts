import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { ErrorCode, SpineError, errorMessage } from '@market-spine/core';
import { validateRow } from '@market-spine/quality';
import type { RowRule } from '@market-spine/quality';
import type { IngestReject, ParsedSource } from './parse-source.js';
import { VENUE_ROW_RULES } from './pipeline/normalize.js';
import type { RejectCode } from './reject-codes.js';
import { tierFromAlias } from './tiers.js';
import type { FinraTier } from './tiers.js';
import { parseIsoDate, weekEndingFromWeekStart } from './week.js';

/**
 * Parser of FINRA Query API `weeklySummary` records (api.finra.org, group
 * otcMarket). Numbers are read from their JSON text, never through a float:
 * FINRA writes some values in Java E-notation (`1.1145304286376358E10`), and
 * shares and trades must be exact integers.
 */

/**
 * The symbol-total summary type this package loads: ATS volume per symbol and
 * week, all ATSs summed by FINRA. `*_SMBL_FIRM` types are venue rows of
 * another grain, and `OTC_W_SMBL` (non-ATS) totals are another measure; both
 * are refused, never added to these.
 */
export const SYMBOL_TOTAL_SUMMARY_TYPE = 'ATS_W_SMBL';

/**
 * Layouts of an API file: `finra_api_recorded_responses`, a JSON list of
 * recorded HTTP exchanges (`method`, `url`, `json` request body, `status`,
 * `headers`, `text` response body as a JSON string), as OpenBB's test data
 * keeps them; `finra_api_records`, a response body saved as it came (a JSON
 * list of records).
 */
export type ApiSourceFormat = 'finra_api_recorded_responses' | 'finra_api_records';

/** One response of an API file and what its request asked for (EQUAL compare filters). */
export interface ApiResponseInfo {
  /** 1-based position of the response in the file. */
  readonly index: number;
  /** `summaryTypeCode` filter of the request, e.g. `ATS_W_SMBL`; null when not filtered. */
  readonly summaryTypeCode: string | null;
  /** `tierIdentifier` filter of the request (T1, T2, OTCE); null when not filtered. */
  readonly tierIdentifier: string | null;
  /** `issueSymbolIdentifier` filter of the request; null when not filtered. */
  readonly symbol: string | null;
  /** Records in the response body. */
  readonly records: number;
  /**
   * FINRA's `record-total` header: records matching the request. Above
   * {@link ApiResponseInfo.records} the response was cut (FINRA returns at most
   * `limit` rows, 5000 at most) and the file misses records; null when absent.
   */
  readonly recordTotal: number | null;
}

/** A record accepted by the parser: a FINRA symbol total for one week. */
export interface ApiSymbolTotal {
  /** 1-based position of the record in the file, across its responses. */
  readonly recordNumber: number;
  /** The record's JSON text, numbers exactly as delivered. */
  readonly raw: string;
  /** sha256 (hex) of {@link ApiSymbolTotal.raw}. */
  readonly recordHash: string;
  /** FINRA `weekStartDate`, the Monday of the week. */
  readonly weekStartDate: string;
  /** The Friday of the week: weekStartDate + 4 days (week.ts). */
  readonly weekEnding: string;
  readonly tier: FinraTier;
  /** The tier as written (`tierDescription`, else `tierIdentifier` or the request's filter). */
  readonly sourceTier: string;
  readonly summaryTypeCode: typeof SYMBOL_TOTAL_SUMMARY_TYPE;
  readonly symbol: string;
  readonly issueName: string | null;
  readonly productTypeCode: string | null;
  /** Shares traded in the week on all ATSs. */
  readonly shares: number;
  /** Trades in the week on all ATSs. */
  readonly trades: number;
  /** `totalNotionalSum` in USD as an exact decimal string (no exponent), null when not sent. */
  readonly notional: string | null;
  /** FINRA `initialPublishedDate`: first publication of the week. */
  readonly initialPublishedDate: string;
  /** FINRA `lastUpdateDate`: latest publication; later than the first one means a revision. */
  readonly lastUpdateDate: string;
  /** FINRA `lastReportedDate`, null when not sent. */
  readonly lastReportedDate: string | null;
  /** lastUpdateDate is after initialPublishedDate: FINRA revised the week. */
  readonly isRevision: boolean;
}

/**
 * A parsed API file: every record is in exactly one of `rows` and `rejects`
 * (a reject's `lineNumber` is the record number, its `raw` the record's JSON text).
 */
export interface ParsedApiSource extends Pick<ParsedSource, 'sha256' | 'bytes' | 'rejects'> {
  readonly format: ApiSourceFormat;
  /** Records in the file, all responses. */
  readonly records: number;
  readonly responses: readonly ApiResponseInfo[];
  readonly rows: readonly ApiSymbolTotal[];
}

/**
 * Row rules of a symbol total: those of a venue row without the MPID
 * (symbol pattern, non-negative counts, no zero volume), so both grains
 * refuse the same values with the same reason codes.
 */
export const SYMBOL_TOTAL_RULES: readonly RowRule[] = VENUE_ROW_RULES.filter((rule) => rule.column !== 'mpid');

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

type Json = unknown;
type JsonObject = Readonly<Record<string, Json>>;
type Field<T> = { ok: true; value: T } | { ok: false; code: RejectCode; detail: string };

// A number is a LosslessNumber instance: an object to typeof, not a JSON object.
const isObject = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
const text = (value: Json): string | null => (typeof value === 'string' ? value : null);

function unknownFormat(locator: string, what: string): SpineError {
  return new SpineError(ErrorCode.INPUT_UNKNOWN_FORMAT, `${locator} is not a FINRA Query API file: ${what}.`, {
    hint: 'Pass a weeklySummary response body (a JSON list of records) or a JSON list of recorded exchanges with the body in "text".',
  });
}

function parseJson(source: string, locator: string, what: string): Json {
  try {
    return parseLossless(source);
  } catch (error) {
    throw unknownFormat(locator, `${what} is not valid JSON (${errorMessage(error)})`);
  }
}

/** An exact integer count from a JSON number, E-notation included (`1.5E7` is 15000000; `1.5E0` is not an integer). */
function countField(record: JsonObject, name: string): Field<number> {
  const value = record[name];
  if (!isLosslessNumber(value)) return { ok: false, code: 'PARSE_ERROR', detail: `${name} is ${value === undefined ? 'missing' : `not a number: ${stringifyLossless(value)}`}` };
  const number = new Decimal(value.value);
  if (!number.isInteger()) return { ok: false, code: 'PARSE_ERROR', detail: `${name} is not an integer: ${value.value}` };
  if (number.abs().gt(Number.MAX_SAFE_INTEGER)) return { ok: false, code: 'PARSE_ERROR', detail: `${name} is out of range: ${value.value}` };
  return { ok: true, value: number.toNumber() };
}

/** A required (or, with `optional`, possibly absent) ISO date field. */
function dateField(record: JsonObject, name: string, optional = false): Field<string | null> {
  const value = record[name];
  if ((value === undefined || value === null) && optional) return { ok: true, value: null };
  if (value === undefined) return { ok: false, code: 'PARSE_ERROR', detail: `${name} is missing` };
  const date = typeof value === 'string' ? parseIsoDate(value) : undefined;
  if (!date) return { ok: false, code: 'INVALID_DATE', detail: `${name} is not a date: ${stringifyLossless(value)}` };
  return { ok: true, value: date.toString() };
}

/** The request's EQUAL filters by field name (summaryTypeCode, tierIdentifier, issueSymbolIdentifier, …). */
function requestFilters(request: Json): Map<string, string> {
  const filters = new Map<string, string>();
  const list = isObject(request) ? request.compareFilters : undefined;
  if (!Array.isArray(list)) return filters;
  for (const filter of list as Json[]) {
    if (!isObject(filter) || filter.compareType !== 'EQUAL') continue;
    const name = text(filter.fieldName);
    const value = text(filter.fieldValue);
    if (name !== null && value !== null) filters.set(name, value);
  }
  return filters;
}

function recordTotalHeader(headers: Json): number | null {
  if (!isObject(headers)) return null;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'record-total');
  const value = entry === undefined ? null : Number(text(entry[1]) ?? NaN);
  return value !== null && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

const isExchange = (value: Json): value is JsonObject => isObject(value) && typeof value.text === 'string' && 'status' in value;

interface Response {
  readonly info: Omit<ApiResponseInfo, 'records'>;
  readonly filters: ReadonlyMap<string, string>;
  readonly records: readonly Json[];
}

/** The responses of a file, each with its request filters and record list. */
function readResponses(top: Json, locator: string): { format: ApiSourceFormat; responses: Response[] } {
  if (!Array.isArray(top)) throw unknownFormat(locator, 'its top level is not a JSON list');
  const list = top as Json[];
  const exchanges = list.filter(isExchange).length;
  if (exchanges === 0) {
    return { format: 'finra_api_records', responses: [{ info: { index: 1, summaryTypeCode: null, tierIdentifier: null, symbol: null, recordTotal: null }, filters: new Map(), records: list }] };
  }
  if (exchanges !== list.length) throw unknownFormat(locator, 'it mixes recorded exchanges with other values');
  const responses = list.map((exchange, i): Response => {
    const { status, text: body, json: request, headers } = exchange as JsonObject;
    const code = isLosslessNumber(status) ? Number(status.value) : Number.NaN;
    const filters = requestFilters(request);
    let records: Json[] = [];
    if (code === 200) {
      const parsed = parseJson(body as string, locator, `the body of response ${i + 1}`);
      if (!Array.isArray(parsed)) throw unknownFormat(locator, `the body of response ${i + 1} is not a list of records`);
      records = parsed as Json[];
    } else if (code !== 204) {
      // An error body (429, 5xx, …) holds a message, not records: the file cannot say which records it misses.
      throw unknownFormat(locator, `response ${i + 1} has HTTP status ${stringifyLossless(status) ?? 'none'}, so its body is not records`);
    }
    const info = {
      index: i + 1,
      summaryTypeCode: filters.get('summaryTypeCode') ?? null,
      tierIdentifier: filters.get('tierIdentifier') ?? null,
      symbol: filters.get('issueSymbolIdentifier') ?? null,
      recordTotal: recordTotalHeader(headers),
    };
    return { info, filters, records };
  });
  return { format: 'finra_api_recorded_responses', responses };
}

/** The (week, tier) a record belongs to, as far as it can be told. */
function weekAndTier(record: JsonObject, filters: ReadonlyMap<string, string>): { week: Field<{ start: string; ending: string }>; tier: Field<FinraTier>; sourceTier: string } {
  const sourceTier = text(record.tierDescription) ?? text(record.tierIdentifier) ?? filters.get('tierIdentifier') ?? '';
  let tier: Field<FinraTier>;
  const resolved = tierFromAlias(sourceTier);
  const requested = filters.get('tierIdentifier');
  const requestedTier = requested === undefined ? undefined : tierFromAlias(requested);
  if (!resolved) tier = { ok: false, code: 'INVALID_TIER', detail: `unknown tier ${JSON.stringify(sourceTier)}` };
  else if (requested !== undefined && requestedTier !== resolved) tier = { ok: false, code: 'INVALID_TIER', detail: `tier ${JSON.stringify(sourceTier)} differs from the request's tierIdentifier ${requested}` };
  else tier = { ok: true, value: resolved };

  const start = dateField(record, 'weekStartDate');
  let week: Field<{ start: string; ending: string }>;
  if (!start.ok) week = start;
  else if (parseIsoDate(start.value as string)?.dayOfWeek !== 1) week = { ok: false, code: 'INVALID_DATE', detail: `weekStartDate ${start.value} is not a Monday` };
  else week = { ok: true, value: { start: start.value as string, ending: weekEndingFromWeekStart(start.value as string) } };
  return { week, tier, sourceTier };
}

/** The summary type of a record (its own field, else the request's filter), checked to be the loaded one. */
function summaryType(record: JsonObject, filters: ReadonlyMap<string, string>): Field<typeof SYMBOL_TOTAL_SUMMARY_TYPE> {
  const own = text(record.summaryTypeCode);
  const requested = filters.get('summaryTypeCode');
  const type = own ?? requested;
  if (type === undefined) return { ok: false, code: 'PARSE_ERROR', detail: 'no summaryTypeCode in the record or its request, so its grain is unknown' };
  if (own !== null && requested !== undefined && own !== requested) return { ok: false, code: 'PARSE_ERROR', detail: `summaryTypeCode ${own} differs from the request's ${requested}` };
  if (type === SYMBOL_TOTAL_SUMMARY_TYPE) return { ok: true, value: SYMBOL_TOTAL_SUMMARY_TYPE };
  const why = type.endsWith('_SMBL_FIRM') ? 'it holds venue (MPID) rows, not symbol totals' : 'only ATS symbol totals are loaded';
  return { ok: false, code: 'PARSE_ERROR', detail: `summaryTypeCode ${type} is not ${SYMBOL_TOTAL_SUMMARY_TYPE}: ${why}` };
}

/** A record checked field by field: the accepted row, or the first problem found. */
function readRecord(value: Json, filters: ReadonlyMap<string, string>, recordNumber: number): { row: ApiSymbolTotal } | { reject: IngestReject } {
  const raw = stringifyLossless(value) ?? 'null';
  const recordHash = sha256(raw);
  const refuse = (field: { code: RejectCode; detail: string }, weekEnding: string | null = null, tier: FinraTier | null = null) => ({
    reject: { lineNumber: recordNumber, raw, recordHash, code: field.code, detail: field.detail, weekEnding, tier },
  });
  if (!isObject(value)) return refuse({ code: 'PARSE_ERROR', detail: 'record is not a JSON object' });
  const { week, tier, sourceTier } = weekAndTier(value, filters);
  const weekEnding = week.ok ? week.value.ending : null;
  const tierHint = tier.ok ? tier.value : null;
  const type = summaryType(value, filters);
  if (!type.ok) return refuse(type, weekEnding, tierHint);
  if (!week.ok) return refuse(week, null, tierHint);
  if (!tier.ok) return refuse(tier, weekEnding);
  const symbol = text(value.issueSymbolIdentifier);
  if (symbol === null) return refuse({ code: 'PARSE_ERROR', detail: 'issueSymbolIdentifier is missing or not a string' }, weekEnding, tier.value);
  const shares = countField(value, 'totalWeeklyShareQuantity');
  if (!shares.ok) return refuse(shares, weekEnding, tier.value);
  const trades = countField(value, 'totalWeeklyTradeCount');
  if (!trades.ok) return refuse(trades, weekEnding, tier.value);
  const notional = value.totalNotionalSum;
  if (notional !== undefined && notional !== null && !isLosslessNumber(notional)) {
    return refuse({ code: 'PARSE_ERROR', detail: `totalNotionalSum is not a number: ${stringifyLossless(notional)}` }, weekEnding, tier.value);
  }
  const initial = dateField(value, 'initialPublishedDate');
  if (!initial.ok) return refuse(initial, weekEnding, tier.value);
  const updated = dateField(value, 'lastUpdateDate');
  if (!updated.ok) return refuse(updated, weekEnding, tier.value);
  const reported = dateField(value, 'lastReportedDate', true);
  if (!reported.ok) return refuse(reported, weekEnding, tier.value);
  const initialPublishedDate = initial.value as string;
  const lastUpdateDate = updated.value as string;
  if (lastUpdateDate < initialPublishedDate) {
    return refuse({ code: 'INVALID_DATE', detail: `lastUpdateDate ${lastUpdateDate} is before initialPublishedDate ${initialPublishedDate}` }, weekEnding, tier.value);
  }
  const verdict = validateRow(SYMBOL_TOTAL_RULES, { symbol, total_volume: shares.value, trade_count: trades.value });
  if (!verdict.ok) {
    const first = verdict.violations[0] as { code: string; detail: string };
    return refuse({ code: first.code as RejectCode, detail: first.detail }, weekEnding, tier.value);
  }
  return {
    row: {
      recordNumber,
      raw,
      recordHash,
      weekStartDate: week.value.start,
      weekEnding: week.value.ending,
      tier: tier.value,
      sourceTier,
      summaryTypeCode: type.value,
      symbol,
      issueName: text(value.issueName),
      productTypeCode: text(value.productTypeCode),
      shares: shares.value,
      trades: trades.value,
      notional: isLosslessNumber(notional) ? new Decimal(notional.value).toFixed() : null,
      initialPublishedDate,
      lastUpdateDate,
      lastReportedDate: reported.value,
      isRevision: lastUpdateDate > initialPublishedDate,
    },
  };
}

/**
 * Parses a FINRA Query API file into accepted symbol totals and rejects. Pure:
 * reads nothing, writes nothing. Every record of every response ends up in
 * exactly one of `rows` and `rejects` (seed 001 reason codes: PARSE_ERROR for
 * a missing field, a wrong grain or a count that is not an exact integer,
 * INVALID_DATE, INVALID_TIER, INVALID_SYMBOL, NEGATIVE_VOLUME,
 * NEGATIVE_TRADES, ZERO_VOLUME, and DUPLICATE_KEY for a second record of the
 * same (week, tier, symbol): the first one wins).
 *
 * @param content the file's bytes (UTF-8 JSON)
 * @param locator the file's name, for messages
 * @throws SpineError `INPUT_UNKNOWN_FORMAT` when the file is not JSON of a known layout, or a response
 *   is an HTTP error or a body that is not a record list (nothing is parsed then)
 */
export function parseApiSource(content: Buffer, locator: string): ParsedApiSource {
  const top = parseJson(content.toString('utf8').replace(/^\uFEFF/, ''), locator, 'the file');
  const { format, responses } = readResponses(top, locator);
  const rows: ApiSymbolTotal[] = [];
  const rejects: IngestReject[] = [];
  const firstOf = new Map<string, number>();
  let recordNumber = 0;
  for (const response of responses) {
    for (const record of response.records) {
      recordNumber += 1;
      const result = readRecord(record, response.filters, recordNumber);
      if ('reject' in result) {
        rejects.push(result.reject);
        continue;
      }
      const { row } = result;
      const key = `${row.weekEnding}|${row.tier}|${row.symbol}`;
      const first = firstOf.get(key);
      if (first !== undefined) {
        const detail = `(${row.symbol}, week ending ${row.weekEnding}, ${row.tier}) already in record ${first}`;
        rejects.push({ lineNumber: recordNumber, raw: row.raw, recordHash: row.recordHash, code: 'DUPLICATE_KEY', detail, weekEnding: row.weekEnding, tier: row.tier });
        continue;
      }
      firstOf.set(key, recordNumber);
      rows.push(row);
    }
  }
  return {
    format,
    sha256: sha256(content),
    bytes: content.length,
    records: recordNumber,
    responses: responses.map((r) => ({ ...r.info, records: r.records.length })),
    rows,
    rejects,
  };
}
