import { describe, expect, it } from 'vitest';
import { CALCS, defineCalcs, getCalc, latestView, validateCalcs, writtenVersions } from './calcs.js';

const valid = {
  versions: ['v1', 'v2'],
  current: 'v2',
  deprecated: ['v1'],
  table: 'finra_otc_transparency_weekly_symbol_venue_volume',
  business_keys: ['week_ending', 'tier', 'symbol', 'mpid'],
  description: 'test',
};

describe('CALCS registry', () => {
  it('registers every calculation of the pipeline with its table and business keys', () => {
    expect(Object.keys(CALCS)).toEqual([
      'weekly_symbol_venue_volume',
      'symbol_summary',
      'weekly_symbol_venue_share',
      'venue_market_share',
      'venue_concentration_hhi',
      'symbol_rolling_6w',
      'research_snapshot',
      'weekly_symbol_total',
      'symbol_total_rolling_6w',
    ]);
    expect(getCalc('venue_concentration_hhi')).toMatchObject({ table: 'finra_otc_transparency_weekly_symbol_venue_concentration_hhi', current: 'v1', business_keys: ['week_ending', 'tier', 'symbol'] });
    expect(() => getCalc('nope')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('accepts a valid entry', () => {
    expect(defineCalcs({ ok: valid }).ok.current).toBe('v2');
  });

  it.each([
    ['current not in versions', { ...valid, current: 'v3' }, 'x.current: v3 is not one of versions [v1, v2]'],
    ['current deprecated', { ...valid, current: 'v1' }, 'x.current: v1 is deprecated'],
    ['deprecated not a version', { ...valid, deprecated: ['v9'] }, 'x.deprecated: v9 is not one of versions'],
    ['empty keys', { ...valid, business_keys: [] }, 'x.business_keys: must list at least one column'],
    ['table outside the naming convention', { ...valid, table: 'otc_volume' }, 'x.table: must be named finra_otc_transparency_<entity>[_<grain>]'],
    ['hostile key', { ...valid, business_keys: ['symbol; DROP TABLE x'] }, 'x.business_keys.0: must be a lower_snake_case identifier'],
    ['bad version name', { ...valid, versions: ['1.0'], current: '1.0' }, 'x.versions.0: must look like v1, v2'],
    ['version listed twice', { ...valid, versions: ['v1', 'v2', 'v1'] }, 'x.versions: lists v1 more than once'],
    ['note on an unknown version', { ...valid, version_notes: { v3: 'why' } }, 'x.version_notes.v3: v3 is not one of versions [v1, v2]'],
    ['no versions', { ...valid, versions: [], deprecated: [] }, 'x.versions: '],
    // PostgreSQL keeps 63 bytes of a name: this table's v1 and v10 views would be one view there.
    [
      'views one in PostgreSQL',
      { ...valid, table: 'finra_otc_transparency_weekly_symbol_venue_concentration_hhi', versions: ['v1', 'v10'], current: 'v10', deprecated: [] },
      'x.versions: views finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest and finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v10_latest share',
    ],
  ])('rejects %s with REGISTRY_INVALID naming the key', (_name, entry, message) => {
    expect(() => defineCalcs({ x: entry })).toThrow(expect.objectContaining({ code: 'REGISTRY_INVALID', message: expect.stringContaining(message) }));
  });

  it('reports every problem of every entry with the calc and the key, without throwing', () => {
    const result = validateCalcs({ good: valid, bad: { ...valid, current: 'v3', business_keys: [] }, worse: { ...valid, deprecated: ['v2'], current: 'v2' } });
    expect(result).toEqual({
      status: 'invalid',
      problems: [
        { calc: 'bad', key: 'business_keys', message: 'must list at least one column' },
        { calc: 'bad', key: 'current', message: 'v3 is not one of versions [v1, v2]' },
        { calc: 'worse', key: 'current', message: 'v2 is deprecated; the current version cannot be' },
      ],
    });
  });

  it('keeps versions oldest first whatever order they are listed in (v10 after v2)', () => {
    const { x } = defineCalcs({ x: { ...valid, versions: ['v10', 'v2', 'v1'], deprecated: ['v2', 'v1'], current: 'v10' } });
    expect(x.versions).toEqual(['v1', 'v2', 'v10']);
    expect(x.deprecated).toEqual(['v1', 'v2']);
    expect(writtenVersions(x)).toEqual(['v10']);
  });

  it('names the views of the current version and of each version', () => {
    expect(latestView(CALCS.symbol_rolling_6w)).toBe('finra_otc_transparency_symbol_rolling_6w_latest');
    expect(latestView(CALCS.symbol_rolling_6w, 'v2')).toBe('finra_otc_transparency_symbol_rolling_6w_v2_latest');
  });

  it('ships symbol_rolling_6w v2 beside v1, v1 current, and writes both', () => {
    expect(CALCS.symbol_rolling_6w).toMatchObject({ versions: ['v1', 'v2'], current: 'v1', deprecated: [] });
    expect(writtenVersions(CALCS.symbol_rolling_6w)).toEqual(['v1', 'v2']);
    expect(CALCS.symbol_rolling_6w.version_notes.v2).toContain('mean of the earlier loaded weeks');
    expect(writtenVersions(CALCS.symbol_summary)).toEqual(['v1']);
  });

  it('rejects a calc name that is not an identifier', () => {
    expect(() => defineCalcs({ 'x"; DROP': valid })).toThrow(/calc name must be a lower_snake_case identifier/);
  });
});
