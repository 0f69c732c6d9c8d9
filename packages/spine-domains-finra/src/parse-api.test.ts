import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseApiSource } from './parse-api.js';
import type { ParsedApiSource } from './parse-api.js';
import { SAMPLE_API_FILE } from './samples.js';
import { deriveWeekEnding } from './week.js';

/*
 * Expected figures of the real file were computed without this code, with jq
 * over samples/api/otc_aggregate_symbol.json:
 *   jq '[.[] | .text | fromjson | .[]] | length'                                   → 496
 *   jq '[.[] | .text | fromjson | .[] | select(.lastUpdateDate > .initialPublishedDate)] | length' → 14
 *   jq '[.[] | .text | fromjson | .[] | .weekStartDate] | unique | length, first, last' → 248, 2021-12-06, 2026-08-31
 * and they agree with ../shared/data/finra_otc/PROVENANCE.md (§4).
 */
const real = (): ParsedApiSource => parseApiSource(readFileSync(SAMPLE_API_FILE), SAMPLE_API_FILE);

/** The real AAPL record of week 2024-03-11 as FINRA sent it (a revised week), with `fields` replaced verbatim. */
function aaplRecord(fields: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    totalWeeklyShareQuantity: '24279368',
    totalWeeklyTradeCount: '276882',
    issueSymbolIdentifier: '"AAPL"',
    issueName: '"Apple Inc. Common Stock"',
    lastUpdateDate: '"2024-05-13"',
    weekStartDate: '"2024-03-11"',
    lastReportedDate: '"2024-05-13"',
    tierDescription: '"NMS Tier 1"',
    initialPublishedDate: '"2024-04-01"',
    productTypeCode: '"UTP"',
    totalNotionalSum: '4184958242',
    ...fields,
  };
  return `{${Object.entries(values)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}`;
}

/** A recorded exchange as OpenBB keeps them: the request, status, headers, and the body as a JSON string. */
function exchange(records: readonly string[], filters: Record<string, string> = { summaryTypeCode: 'ATS_W_SMBL', tierIdentifier: 'T1' }, status = 200, recordTotal = records.length): string {
  return JSON.stringify({
    method: 'POST',
    url: 'https://api.finra.org/data/group/otcMarket/name/weeklySummary',
    params: null,
    json: { compareFilters: Object.entries(filters).map(([fieldName, fieldValue]) => ({ compareType: 'EQUAL', fieldName, fieldValue })), offset: 0, limit: 5000 },
    status,
    headers: { 'record-total': String(recordTotal) },
    text: `[${records.join(',')}]`,
  });
}

const file = (...exchanges: string[]): Buffer => Buffer.from(`[${exchanges.join(',')}]`);

describe('parseApiSource on the real FINRA Query API file (OpenBB, ATS_W_SMBL, NMS Tier 1)', () => {
  it('accepts all 496 records of the two responses, 248 weeks each of AAPL and BRK.B', () => {
    const parsed = real();
    expect(parsed).toMatchObject({ format: 'finra_api_recorded_responses', records: 496, bytes: 196011, sha256: '1ae657d38b5927dcd6c27047f72d17a442d539caa53ea614ed54a647e9fcf52d' });
    expect(parsed.rejects).toEqual([]);
    expect(parsed.rows).toHaveLength(496);
    expect(parsed.responses).toEqual([
      { index: 1, summaryTypeCode: 'ATS_W_SMBL', tierIdentifier: 'T1', symbol: 'AAPL', records: 248, recordTotal: 248 },
      { index: 2, summaryTypeCode: 'ATS_W_SMBL', tierIdentifier: 'T1', symbol: 'BRK.B', records: 248, recordTotal: 248 },
    ]);
    const weeks = [...new Set(parsed.rows.map((r) => r.weekEnding))].sort();
    expect([weeks.length, weeks[0], weeks.at(-1)]).toEqual([248, '2021-12-10', '2026-09-04']);
    expect(new Set(parsed.rows.map((r) => r.tier))).toEqual(new Set(['NMS_TIER_1']));
    expect(parsed.rows.filter((r) => r.isRevision)).toHaveLength(14);
  });

  it("derives week_ending as the file pipeline does: weekStartDate + 4 days equals the week deriveWeekEnding finds from initialPublishedDate, for every record", () => {
    // initialPublishedDate is weekStartDate + 21 days, or + 22 (the Tuesday after a Monday holiday): both map to the same week.
    for (const row of real().rows) {
      expect(deriveWeekEnding(row.initialPublishedDate, 'NMS_TIER_1'), `${row.symbol} ${row.weekStartDate}`).toBe(row.weekEnding);
    }
  });

  it('keeps the revised weeks with both source clocks (PROVENANCE §4 lists them)', () => {
    const revised = real()
      .rows.filter((r) => r.isRevision)
      .map((r) => `${r.symbol} ${r.weekStartDate} ${r.initialPublishedDate} → ${r.lastUpdateDate}`)
      .sort();
    expect(revised).toEqual([
      'AAPL 2022-06-27 2022-07-18 → 2022-07-29',
      'AAPL 2023-11-13 2023-12-04 → 2024-03-12',
      'AAPL 2024-03-04 2024-03-25 → 2024-05-13',
      'AAPL 2024-03-11 2024-04-01 → 2024-05-13',
      'AAPL 2024-05-27 2024-06-17 → 2024-10-02',
      'AAPL 2024-11-04 2024-11-25 → 2025-05-08',
      'AAPL 2025-05-05 2025-05-27 → 2025-06-03',
      'AAPL 2025-05-12 2025-06-02 → 2025-06-09',
      'BRK.B 2023-11-13 2023-12-04 → 2024-03-12',
      'BRK.B 2024-03-04 2024-03-25 → 2024-05-14',
      'BRK.B 2024-03-11 2024-04-01 → 2024-05-14',
      'BRK.B 2025-05-05 2025-05-27 → 2025-06-03',
      'BRK.B 2025-05-12 2025-06-02 → 2025-06-04',
      'BRK.B 2025-09-08 2025-09-29 → 2025-11-19',
    ]);
  });

  it('reads E-notation notionals exactly and keeps each record as delivered', () => {
    const row = real().rows.find((r) => r.symbol === 'AAPL' && r.weekStartDate === '2026-07-20');
    expect(row).toMatchObject({ shares: 37839888, trades: 676325, notional: '12349750810.604021', weekEnding: '2026-07-24', lastReportedDate: '2026-07-24', productTypeCode: 'UTP' });
    expect(row?.raw).toContain('"totalNotionalSum":1.2349750810604021E10');
  });
});

describe('parseApiSource record by record', () => {
  const one = (record: string, filters?: Record<string, string>) => parseApiSource(file(exchange([record], filters)), 'test.json');
  const rejectOf = (record: string, filters?: Record<string, string>) => {
    const parsed = one(record, filters);
    expect(parsed.rows.length + parsed.rejects.length).toBe(1);
    return parsed.rejects[0];
  };

  it('turns an integer written in E-notation into the exact integer, and keeps more digits than a float holds', () => {
    const parsed = one(aaplRecord({ totalWeeklyShareQuantity: '2.4279368E7', totalWeeklyTradeCount: '2.76882e5', totalNotionalSum: '4.18495824212345678901E9' }));
    expect(parsed.rows[0]).toMatchObject({ shares: 24279368, trades: 276882, notional: '4184958242.12345678901' });
    expect(parsed.rows[0]?.raw).toContain('"totalWeeklyShareQuantity":2.4279368E7');
  });

  it.each([
    ['a share count that is not an integer', { totalWeeklyShareQuantity: '2.42793685E7' }, 'PARSE_ERROR', 'totalWeeklyShareQuantity is not an integer: 2.42793685E7'],
    ['a fractional trade count', { totalWeeklyTradeCount: '276882.5' }, 'PARSE_ERROR', 'totalWeeklyTradeCount is not an integer: 276882.5'],
    ['a count beyond 2^53', { totalWeeklyShareQuantity: '9.1E15' }, 'PARSE_ERROR', 'totalWeeklyShareQuantity is out of range'],
    ['a count sent as a string', { totalWeeklyTradeCount: '"276882"' }, 'PARSE_ERROR', 'totalWeeklyTradeCount is not a number: "276882"'],
    ['a missing count', { totalWeeklyShareQuantity: '' }, 'PARSE_ERROR', 'totalWeeklyShareQuantity is missing'],
    ['a notional that is not a number', { totalNotionalSum: '"n/a"' }, 'PARSE_ERROR', 'totalNotionalSum is not a number'],
    ['a week that does not start on Monday', { weekStartDate: '"2024-03-12"' }, 'INVALID_DATE', 'weekStartDate 2024-03-12 is not a Monday'],
    ['a week start that is not a date', { weekStartDate: '"2024-02-30"' }, 'INVALID_DATE', 'weekStartDate is not a date'],
    ['a missing initialPublishedDate', { initialPublishedDate: '' }, 'PARSE_ERROR', 'initialPublishedDate is missing'],
    ['an update before the first publication', { lastUpdateDate: '"2024-03-29"' }, 'INVALID_DATE', 'lastUpdateDate 2024-03-29 is before initialPublishedDate 2024-04-01'],
    ['a tier other than the request asked for', { tierDescription: '"NMS Tier 2"' }, 'INVALID_TIER', "differs from the request's tierIdentifier T1"],
    ['an unknown tier', { tierDescription: '"Tier 9"' }, 'INVALID_TIER', 'unknown tier "Tier 9"'],
    ['a lower-case symbol', { issueSymbolIdentifier: '"aapl"' }, 'INVALID_SYMBOL', 'symbol'],
    ['negative shares', { totalWeeklyShareQuantity: '-5' }, 'NEGATIVE_VOLUME', 'negative'],
    ['negative trades', { totalWeeklyTradeCount: '-1' }, 'NEGATIVE_TRADES', 'negative'],
    ['zero shares', { totalWeeklyShareQuantity: '0', totalWeeklyTradeCount: '0' }, 'ZERO_VOLUME', 'zero'],
  ])('rejects %s', (_what, fields, code, detail) => {
    const reject = rejectOf(aaplRecord(fields));
    expect(reject).toMatchObject({ code, lineNumber: 1, raw: aaplRecord(fields) });
    expect(reject?.detail).toContain(detail);
  });

  it('tells the (week, tier) of a rejected record when it can, so the reject is filed under its capture', () => {
    expect(rejectOf(aaplRecord({ totalWeeklyShareQuantity: '1.5' }))).toMatchObject({ weekEnding: '2024-03-15', tier: 'NMS_TIER_1' });
    expect(rejectOf(aaplRecord({ weekStartDate: '"2024-03-12"' }))).toMatchObject({ weekEnding: null, tier: 'NMS_TIER_1' });
  });

  it('refuses venue rows and non-ATS totals: only ATS_W_SMBL symbol totals are loaded', () => {
    expect(rejectOf(aaplRecord(), { summaryTypeCode: 'ATS_W_SMBL_FIRM', tierIdentifier: 'T1' })).toMatchObject({
      code: 'PARSE_ERROR',
      detail: 'summaryTypeCode ATS_W_SMBL_FIRM is not ATS_W_SMBL: it holds venue (MPID) rows, not symbol totals',
    });
    expect(rejectOf(aaplRecord(), { summaryTypeCode: 'OTC_W_SMBL' })?.detail).toBe('summaryTypeCode OTC_W_SMBL is not ATS_W_SMBL: only ATS symbol totals are loaded');
    expect(rejectOf(aaplRecord({ summaryTypeCode: '"OTC_W_SMBL"' }))?.detail).toBe("summaryTypeCode OTC_W_SMBL differs from the request's ATS_W_SMBL");
    expect(rejectOf(aaplRecord(), {})?.detail).toBe('no summaryTypeCode in the record or its request, so its grain is unknown');
  });

  it('keeps the first of two records of the same (week, tier, symbol) and rejects the second as DUPLICATE_KEY', () => {
    const parsed = parseApiSource(file(exchange([aaplRecord()]), exchange([aaplRecord({ totalWeeklyShareQuantity: '1' })])), 'twice.json');
    expect(parsed.rows.map((r) => [r.recordNumber, r.shares])).toEqual([[1, 24279368]]);
    expect(parsed.rejects).toEqual([expect.objectContaining({ lineNumber: 2, code: 'DUPLICATE_KEY', detail: '(AAPL, week ending 2024-03-15, NMS_TIER_1) already in record 1' })]);
  });

  it('rejects a record that is not an object, and numbers records across responses', () => {
    const parsed = parseApiSource(file(exchange([aaplRecord()]), exchange(['42', aaplRecord({ issueSymbolIdentifier: '"BRK.B"' })])), 'mixed.json');
    expect(parsed.records).toBe(3);
    expect(parsed.rejects).toEqual([expect.objectContaining({ lineNumber: 2, raw: '42', code: 'PARSE_ERROR', detail: 'record is not a JSON object' })]);
    expect(parsed.rows.map((r) => [r.recordNumber, r.symbol])).toEqual([[1, 'AAPL'], [3, 'BRK.B']]);
  });

  it('reads a response body saved as it came (a list of records carrying their summary type)', () => {
    const parsed = parseApiSource(Buffer.from(`[${aaplRecord({ summaryTypeCode: '"ATS_W_SMBL"' })}]`), 'body.json');
    expect(parsed).toMatchObject({ format: 'finra_api_records', records: 1, responses: [{ index: 1, summaryTypeCode: null, records: 1, recordTotal: null }] });
    expect(parsed.rows[0]).toMatchObject({ symbol: 'AAPL', weekEnding: '2024-03-15', isRevision: true });
  });

  it('says when a response holds fewer records than FINRA counted (a cut response)', () => {
    expect(parseApiSource(file(exchange([aaplRecord()], undefined, 200, 5001)), 'cut.json').responses[0]).toMatchObject({ records: 1, recordTotal: 5001 });
  });

  it.each([
    ['text that is not JSON', Buffer.from('OTC|AAPL|x'), 'the file is not valid JSON'],
    ['an object', Buffer.from('{"data": []}'), 'its top level is not a JSON list'],
    ['an HTTP error response', file(exchange([], undefined, 429)), 'response 1 has HTTP status 429'],
    ['a body that is not a record list', Buffer.from(`[${JSON.stringify({ status: 200, text: '{"error":"x"}' })}]`), 'the body of response 1 is not a list of records'],
  ])('refuses %s as INPUT_UNKNOWN_FORMAT, parsing nothing', (_what, content, message) => {
    expect(() => parseApiSource(content, 'bad.json')).toThrow(expect.objectContaining({ code: 'INPUT_UNKNOWN_FORMAT', message: expect.stringContaining(message) }));
  });
});
