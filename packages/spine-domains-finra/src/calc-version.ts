/**
 * Calculation versions (`calc_version`, seed 000 "Calculation Versioning"):
 * `v1`, `v2`, … ordered by their number, so that v10 comes after v2 where a
 * plain string sort would put it first.
 */

/** What the CALCS registry accepts as a version: `v` and a number without leading zeros. */
export const CALC_VERSION_PATTERN = /^v[1-9]\d*$/;

// Numeric collation compares digit runs as numbers, of any length; versions
// read back from a database need not match the pattern (rows of an older or
// newer build), and still sort sensibly.
const numeric = new Intl.Collator('en', { numeric: true });

/**
 * Orders two versions: negative when `a` is older, positive when newer, 0 when
 * equal. `compareCalcVersions('v10', 'v2') > 0`.
 */
export function compareCalcVersions(a: string, b: string): number {
  const byNumber = numeric.compare(a, b);
  if (byNumber !== 0) return Math.sign(byNumber);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The versions, oldest first (a new array). */
export function sortCalcVersions(versions: Iterable<string>): string[] {
  return [...versions].sort(compareCalcVersions);
}
