import { describe, expect, it } from 'vitest';
import { CALCS, defineCalcs, getCalc } from './calcs.js';

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
  ])('rejects %s with REGISTRY_INVALID naming the key', (_name, entry, message) => {
    expect(() => defineCalcs({ x: entry })).toThrow(expect.objectContaining({ code: 'REGISTRY_INVALID', message: expect.stringContaining(message) }));
  });

  it('rejects a calc name that is not an identifier', () => {
    expect(() => defineCalcs({ 'x"; DROP': valid })).toThrow(/calc name must be a lower_snake_case identifier/);
  });
});
