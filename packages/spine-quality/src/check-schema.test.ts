import { ErrorCode, isSpineError } from '@market-spine/core';
import type { SpineError } from '@market-spine/core';
import { describe, expect, it } from 'vitest';
import { QualityCheckSchema, defineChecks } from './check-schema.js';

/** The SpineError `defineChecks` throws for `input`. */
function registryError(input: unknown[]): SpineError {
  try {
    defineChecks(input);
  } catch (error) {
    if (isSpineError(error)) return error;
    throw error;
  }
  throw new Error('defineChecks accepted the input');
}

const base = { name: 'no_negative_volumes', category: 'INTEGRITY', table: 'otc_weekly' } as const;

describe('QualityCheckSchema', () => {
  it('applies defaults: severity FAIL, empty groupBy', () => {
    const [check, sum] = defineChecks([
      { ...base, kind: 'non_negative', column: 'total_volume' },
      { ...base, name: 'market_share_sum_100', category: 'BUSINESS_RULE', kind: 'sum_to', column: 'market_share', target: 100, tolerance: 0.1 },
    ]);
    expect(check).toEqual({ ...base, kind: 'non_negative', column: 'total_volume', severity: 'FAIL' });
    expect(sum).toMatchObject({ kind: 'sum_to', groupBy: [], severity: 'FAIL' });
  });

  it('accepts every kind of check', () => {
    const checks = defineChecks([
      { ...base, name: 'a', kind: 'not_null', columns: ['symbol', 'venue'], sampleKeyColumns: ['symbol'] },
      { ...base, name: 'b', kind: 'unique', columns: ['week_ending', 'symbol'], threshold: { maxFailedPercent: 1 } },
      { ...base, name: 'c', kind: 'non_negative', column: 'total_volume', severity: 'WARN', threshold: { maxFailedRows: 2 } },
      { ...base, name: 'd', kind: 'accepted_values', column: 'tier', values: ['OTC', 1] },
      { ...base, name: 'e', kind: 'range', column: 'market_share', min: 0, max: 100 },
      { ...base, name: 'f', kind: 'sum_to', column: 'market_share', groupBy: ['week_ending'], target: 100, tolerance: 0 },
      { ...base, name: 'g', category: 'COMPLETENESS', kind: 'row_count', min: 1, distinct: 'symbol' },
      { ...base, name: 'h', category: 'COMPLETENESS', kind: 'completeness', column: 'weeks_in_window', min: 6 },
      { ...base, name: 'i', kind: 'referential', columns: ['venue'], references: { table: 'venues', columns: ['venue_id'] } },
      { ...base, name: 'j', kind: 'custom_sql', sql: 'WITH x AS (SELECT 1) SELECT 0 AS failed_rows FROM x', description: 'ok' },
    ]);
    expect(checks.map((c) => c.kind)).toEqual([
      'not_null',
      'unique',
      'non_negative',
      'accepted_values',
      'range',
      'sum_to',
      'row_count',
      'completeness',
      'referential',
      'custom_sql',
    ]);
  });
});

describe('defineChecks rejects invalid registries with REGISTRY_INVALID', () => {
  it.each([
    ['a hostile table name', { ...base, kind: 'non_negative', table: 'x; DROP TABLE y', column: 'v' }, 'table'],
    ['a hostile column name', { ...base, kind: 'not_null', columns: ['ok', 'v" OR 1=1 --'] }, 'columns.1'],
    ['a check name that is not an identifier', { ...base, name: 'No-Negatives', kind: 'non_negative', column: 'v' }, 'name'],
    ['a hostile referenced table', { ...base, kind: 'referential', columns: ['v'], references: { table: 'v; --', columns: ['id'] } }, 'references.table'],
    ['a hostile sample key column', { ...base, kind: 'non_negative', column: 'v', sampleKeyColumns: ['a b'] }, 'sampleKeyColumns.0'],
    ['min above max', { ...base, kind: 'range', column: 'v', min: 5, max: 1 }, 'min'],
    ['a range without bounds', { ...base, kind: 'range', column: 'v' }, 'min'],
    ['an empty column list', { ...base, kind: 'unique', columns: [] }, 'columns'],
    ['a repeated column', { ...base, kind: 'unique', columns: ['a', 'a'] }, 'columns'],
    ['a negative tolerance', { ...base, kind: 'sum_to', column: 'v', target: 100, tolerance: -1 }, 'tolerance'],
    ['an empty accepted value list', { ...base, kind: 'accepted_values', column: 'v', values: [] }, 'values'],
    ['both threshold forms', { ...base, kind: 'non_negative', column: 'v', threshold: { maxFailedRows: 1, maxFailedPercent: 1 } }, 'threshold'],
    ['a percentage above 100', { ...base, kind: 'non_negative', column: 'v', threshold: { maxFailedPercent: 101 } }, 'threshold.maxFailedPercent'],
    ['a fractional row threshold', { ...base, kind: 'non_negative', column: 'v', threshold: { maxFailedRows: 0.5 } }, 'threshold.maxFailedRows'],
    ['mismatched referential keys', { ...base, kind: 'referential', columns: ['a', 'b'], references: { table: 't', columns: ['a'] } }, 'references.columns'],
    ['a threshold on row_count', { ...base, kind: 'row_count', min: 1, threshold: { maxFailedRows: 1 } }, 'threshold'],
    ['sample keys on sum_to', { ...base, kind: 'sum_to', column: 'v', target: 1, tolerance: 0, sampleKeyColumns: ['a'] }, 'sampleKeyColumns'],
    ['a percentage on custom_sql', { ...base, kind: 'custom_sql', sql: 'SELECT 0 AS failed_rows', threshold: { maxFailedPercent: 1 } }, 'threshold.maxFailedPercent'],
    ['custom SQL that is not a SELECT', { ...base, kind: 'custom_sql', sql: 'DELETE FROM otc_weekly' }, 'sql'],
    ['an unknown kind', { ...base, kind: 'no_such_kind' }, 'kind'],
    ['an unknown key', { ...base, kind: 'non_negative', column: 'v', colum: 'v' }, 'colum'],
    ['an unknown threshold key', { ...base, kind: 'non_negative', column: 'v', threshold: { maxRows: 1 } }, 'threshold.maxRows'],
    ['an unknown category', { ...base, category: 'STYLE', kind: 'non_negative', column: 'v' }, 'category'],
  ])('%s', (_what, definition, key) => {
    const error = registryError([{ ...base, name: 'first_ok', kind: 'non_negative', column: 'v' }, definition]);
    expect(error.code).toBe(ErrorCode.REGISTRY_INVALID);
    expect(error.message).toContain('(#2)');
    expect((error.details?.problems as { key: string }[]).map((p) => p.key)).toContain(key);
    expect(error.message).toContain(`${key}:`);
  });

  it('names the check by its name when it has one', () => {
    const error = registryError([{ ...base, kind: 'non_negative', table: 'x; DROP TABLE y', column: 'v' }]);
    expect(error.message).toMatch(/^Quality check "no_negative_volumes" \(#1\) is invalid: table: /);
  });

  it('rejects a duplicate name, naming both positions', () => {
    const error = registryError([
      { ...base, kind: 'non_negative', column: 'total_volume' },
      { ...base, name: 'other', kind: 'non_negative', column: 'total_trades' },
      { ...base, kind: 'non_negative', column: 'total_trades' },
    ]);
    expect(error.code).toBe(ErrorCode.REGISTRY_INVALID);
    expect(error.message).toBe('Quality check "no_negative_volumes" (#3) is invalid: name: already used by check #1.');
  });

  it('rejects a definition that is not an object', () => {
    const error = registryError(['no_negative_volumes']);
    expect(error.code).toBe(ErrorCode.REGISTRY_INVALID);
    expect(error.message).toMatch(/^Quality check #1 is invalid/);
  });

  it('leaves QualityCheckSchema usable on its own', () => {
    expect(QualityCheckSchema.safeParse({ ...base, kind: 'non_negative', column: 'x; DROP TABLE y' }).success).toBe(false);
  });
});
