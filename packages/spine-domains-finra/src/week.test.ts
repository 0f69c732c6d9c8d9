import { describe, expect, it } from 'vitest';
import { parseFinraTier, tierFromAlias } from './tiers.js';
import { deriveWeekEnding, parseWeekEnding, rollingWindow, weekEndingFromWeekStart } from './week.js';

describe('week_ending derivation (DESIGN.md "Three clocks")', () => {
  it('maps the three OTC sample publication dates to the weeks ending 2025-11-14, -21 and -28', () => {
    expect(deriveWeekEnding('2025-12-15', 'OTC')).toBe('2025-11-14');
    expect(deriveWeekEnding('2025-12-22', 'OTC')).toBe('2025-11-21');
    expect(deriveWeekEnding('2025-12-29', 'OTC')).toBe('2025-11-28');
  });

  it('uses a 21-day lag for NMS Tier 1 and 35 days for Tier 2', () => {
    // AAPL week starting 2023-09-25 was first published 2023-10-16 (FINRA API, api_openbb).
    expect(deriveWeekEnding('2023-10-16', 'NMS_TIER_1')).toBe('2023-09-29');
    expect(deriveWeekEnding('2025-12-15', 'NMS_TIER_2')).toBe('2025-11-14');
  });

  it('maps a Tuesday publication after a Monday holiday to the same week', () => {
    // 2025-09-02 is the Tuesday after Labor Day.
    expect(deriveWeekEnding('2025-09-02', 'NMS_TIER_1')).toBe(deriveWeekEnding('2025-09-01', 'NMS_TIER_1'));
    expect(deriveWeekEnding('2025-09-02', 'NMS_TIER_1')).toBe('2025-08-15');
  });

  it("gives an API week (weekStartDate, a Monday) its Friday, and refuses other days", () => {
    expect(weekEndingFromWeekStart('2023-09-25')).toBe(deriveWeekEnding('2023-10-16', 'NMS_TIER_1'));
    expect(weekEndingFromWeekStart('2025-12-29')).toBe('2026-01-02');
    expect(() => weekEndingFromWeekStart('2023-09-26')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('Not a Monday') }));
    expect(() => weekEndingFromWeekStart('2023-02-30')).toThrow(/Not a Monday/);
  });

  it('does not subtract three days from lastUpdateDate (the original Python bug)', () => {
    expect(deriveWeekEnding('2025-12-15', 'OTC')).not.toBe('2025-12-12');
  });

  it('validates --week-ending', () => {
    expect(parseWeekEnding('2025-11-14')).toBe('2025-11-14');
    expect(() => parseWeekEnding('2025-11-15')).toThrow(/is a Saturday, not a Friday/);
    expect(() => parseWeekEnding('2025-02-30')).toThrow(/Invalid week ending/);
    expect(() => parseWeekEnding("2025-11-14'; DROP TABLE x; --")).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('lists the six Fridays of a rolling window, oldest first', () => {
    expect(rollingWindow('2025-11-28')).toEqual(['2025-10-24', '2025-10-31', '2025-11-07', '2025-11-14', '2025-11-21', '2025-11-28']);
  });
});

describe('tiers', () => {
  it('accepts FINRA descriptions, API identifiers and aliases', () => {
    for (const alias of ['NMS Tier 1', 'nms_tier_1', 'tier1', 'T1']) expect(tierFromAlias(alias)).toBe('NMS_TIER_1');
    for (const alias of ['NMS Tier 2', 'Tier2', 't2']) expect(tierFromAlias(alias)).toBe('NMS_TIER_2');
    for (const alias of ['OTC', 'otc', 'OTCE', 'OTC Equity']) expect(tierFromAlias(alias)).toBe('OTC');
    expect(tierFromAlias('tier3')).toBeUndefined();
    expect(() => parseFinraTier('OTC; DROP TABLE x')).toThrow(expect.objectContaining({ code: 'INVALID_TIER' }));
  });
});
