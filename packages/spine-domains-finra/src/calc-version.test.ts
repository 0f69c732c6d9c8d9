import { describe, expect, it } from 'vitest';
import { CALC_VERSION_PATTERN, compareCalcVersions, sortCalcVersions } from './calc-version.js';

describe('calculation version ordering', () => {
  it('orders by number: v10 after v2 and v9, where a string sort puts it first', () => {
    expect(compareCalcVersions('v10', 'v2')).toBe(1);
    expect(compareCalcVersions('v2', 'v10')).toBe(-1);
    expect(compareCalcVersions('v9', 'v10')).toBe(-1);
    expect(compareCalcVersions('v3', 'v3')).toBe(0);
    expect(['v10', 'v2'].sort()).toEqual(['v10', 'v2']);
    expect(sortCalcVersions(['v10', 'v2', 'v1', 'v21', 'v100', 'v9'])).toEqual(['v1', 'v2', 'v9', 'v10', 'v21', 'v100']);
  });

  it('compares numbers longer than a double holds exactly', () => {
    expect(compareCalcVersions('v18446744073709551617', 'v18446744073709551616')).toBe(1);
  });

  it('gives versions read from a database that do not match the pattern a total order', () => {
    expect(sortCalcVersions(['v1', 'v01', 't0.5', 'v0'])).toEqual(['t0.5', 'v0', 'v01', 'v1']);
    expect(CALC_VERSION_PATTERN.test('v01')).toBe(false);
    expect(CALC_VERSION_PATTERN.test('v0')).toBe(false);
    expect(CALC_VERSION_PATTERN.test('v12')).toBe(true);
  });
});
