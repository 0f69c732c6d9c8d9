import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from './parse-source.js';
import { SAMPLES_DIR, sampleFiles } from './samples.js';

const HEADER = 'tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate';
const parseText = (text: string, options: Parameters<typeof parseSource>[1] = { locator: 'test' }) => parseSource(Buffer.from(text, 'utf8'), options);

describe('parseSource on the bundled real samples', () => {
  // Expected figures counted independently with awk/python from the files (see samples/PROVENANCE.md).
  const expected = [
    { file: 'finra_otc_weekly_otc_20251215.csv', lines: 5328, week: '2025-11-14', sha256: '3c9664fc922059a2ddc9dab3d300b7e646994e995333f3b6471b335648b619a7' },
    { file: 'finra_otc_weekly_otc_20251222.csv', lines: 5192, week: '2025-11-21', sha256: '9dad14818671e214ee3c5f3dda80fd21306033cdfbbd7ac07c4c2436848be895' },
    { file: 'finra_otc_weekly_otc_20251229.csv', lines: 4655, week: '2025-11-28', sha256: '377c13ada92e518cc09ad35aaa22d22dfb9bb69402086d900e063418787806c4' },
  ];

  it.each(expected)('$file: every line parsed, week derived, bytes hashed', ({ file, lines, week, sha256 }) => {
    const parsed = parseSource(readFileSync(join(SAMPLES_DIR, file)), { locator: file });
    expect(parsed.format).toBe('finra_website_export');
    expect(parsed.sha256).toBe(sha256);
    expect(parsed.lines).toBe(lines);
    expect(parsed.rows).toHaveLength(lines);
    expect(parsed.rejects).toHaveLength(0);
    expect(new Set(parsed.rows.map((r) => r.weekEnding))).toEqual(new Set([week]));
    expect(new Set(parsed.rows.map((r) => r.tier))).toEqual(new Set(['OTC']));
    expect(parsed.rows[0]?.lineNumber).toBe(2);
    expect(parsed.rows.at(-1)?.lineNumber).toBe(lines + 1);
  });

  it('keeps the last line of a file without a final newline, and leaves the empty symbol to normalize', () => {
    const parsed = parseSource(readFileSync(sampleFiles()[2] as string), { locator: 'x' });
    const last = parsed.rows.at(-1);
    expect(last).toMatchObject({ lineNumber: 4656, symbol: '', mpid: 'PPEX', shares: 1, trades: 1, raw: 'OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-29' });
  });

  it('keeps issue names with commas, $ and doubled spaces as written', () => {
    const parsed = parseSource(readFileSync(sampleFiles()[0] as string), { locator: 'x' });
    expect(parsed.rows.some((r) => r.issueName?.includes('  '))).toBe(true);
    expect(parsed.rows.some((r) => r.issueName?.includes(','))).toBe(true);
  });
});

describe('parseSource edge cases', () => {
  it('accepts a BOM and CRLF line endings and counts lines the same', () => {
    const body = ['OTC|AABB|Asia Broadband|OTCN X|OTCN|10|2|2025-12-15', 'OTC|ABCD|Other|OTCX Y|OTCX|5|1|2025-12-15'];
    const lf = parseText(`${HEADER}\n${body.join('\n')}\n`);
    const crlf = parseText(`\uFEFF${HEADER}\r\n${body.join('\r\n')}`);
    expect(crlf.rows.map((r) => [r.lineNumber, r.symbol, r.lastUpdateDate])).toEqual(lf.rows.map((r) => [r.lineNumber, r.symbol, r.lastUpdateDate]));
    expect(crlf.lines).toBe(2);
  });

  it('rejects malformed lines with seed 001 codes and keeps every line accounted for', () => {
    const text = [
      HEADER,
      'OTC|AABB|A|P|OTCN|10|2|2025-12-15',
      'OTC|AABB|A|P|OTCN|10|2',
      '',
      'OTC|AABB|A|P|OTCN|ten|2|2025-12-15',
      'OTC|AABB|A|P|OTCN|1.5|2|2025-12-15',
      'OTC|AABB|A|P|OTCN|99999999999999999999|2|2025-12-15',
      'Tier 9|AABB|A|P|OTCN|10|2|2025-12-15',
      'OTC|AABB|A|P|OTCN|10|2|2025-13-45',
      'OTC|AABB|A|P|OTCN|-10|2|2025-12-15',
    ].join('\n');
    const parsed = parseText(text);
    expect(parsed.lines).toBe(9);
    expect(parsed.rows.map((r) => [r.lineNumber, r.shares])).toEqual([
      [2, 10],
      [10, -10],
    ]);
    expect(parsed.rejects.map((r) => [r.lineNumber, r.code])).toEqual([
      [3, 'PARSE_ERROR'],
      [4, 'PARSE_ERROR'],
      [5, 'PARSE_ERROR'],
      [6, 'PARSE_ERROR'],
      [7, 'PARSE_ERROR'],
      [8, 'INVALID_TIER'],
      [9, 'INVALID_DATE'],
    ]);
    expect(parsed.rejects[1]?.detail).toBe('empty line');
    // Rejects of a known tier carry the derived (week, tier) so they land with their capture.
    expect(parsed.rejects.find((r) => r.lineNumber === 5)).toMatchObject({ weekEnding: '2025-11-14', tier: 'OTC' });
    expect(parsed.rejects.find((r) => r.code === 'INVALID_TIER')).toMatchObject({ weekEnding: null, tier: null });
  });

  it('derives the week from the earliest lastUpdateDate (later dates are revisions)', () => {
    const parsed = parseText(`${HEADER}\nOTC|A|A|P|OTCN|1|1|2026-01-20\nOTC|B|B|P|OTCN|1|1|2025-12-15\n`);
    expect(new Set(parsed.rows.map((r) => r.weekEnding))).toEqual(new Set(['2025-11-14']));
  });

  it('honours --week-ending and a declared --tier', () => {
    const text = `${HEADER}\nOTC|A|A|P|OTCN|1|1|2025-12-15\n|B|B|P|OTCN|1|1|2025-12-15\nNMS Tier 1|C|C|P|OTCN|1|1|2025-12-15\n`;
    const parsed = parseText(text, { locator: 't', weekEnding: '2025-11-07', tier: 'OTC' });
    expect(parsed.rows.map((r) => [r.symbol, r.weekEnding, r.weekEndingSource, r.tier])).toEqual([
      ['A', '2025-11-07', 'override', 'OTC'],
      ['B', '2025-11-07', 'override', 'OTC'],
    ]);
    expect(parsed.rejects).toMatchObject([{ lineNumber: 4, code: 'INVALID_TIER', detail: 'tier "NMS Tier 1" differs from the declared tier OTC' }]);
  });

  it('reads the 6-column form and rejects its invented Saturday weeks as NOT_FRIDAY', () => {
    const content = readFileSync(new URL('./fixtures/week_2025-12-13.psv', import.meta.url));
    const parsed = parseSource(content, { locator: 'week_2025-12-13.psv' });
    expect(parsed.format).toBe('six_column');
    expect(parsed.lines).toBe(100);
    expect(parsed.rows).toHaveLength(0);
    expect(new Set(parsed.rejects.map((r) => r.code))).toEqual(new Set(['NOT_FRIDAY']));

    const overridden = parseSource(content, { locator: 'week_2025-12-13.psv', weekEnding: '2025-11-28' });
    expect(overridden.rows).toHaveLength(100);
    expect(overridden.rows[0]).toMatchObject({ weekEnding: '2025-11-28', weekEndingSource: 'override', tier: 'NMS_TIER_1', sourceWeekEnding: '2025-12-13', symbol: 'A', mpid: 'ALPX', shares: 982, trades: 23 });
  });

  it('refuses an unknown layout or an empty file as a whole', () => {
    expect(() => parseText('a|b|c\n1|2|3\n')).toThrow(expect.objectContaining({ code: 'INPUT_UNKNOWN_FORMAT' }));
    expect(() => parseText('')).toThrow(expect.objectContaining({ code: 'INPUT_UNKNOWN_FORMAT' }));
    expect(parseText(`${HEADER}\n`)).toMatchObject({ lines: 0, rows: [], rejects: [] });
  });
});
