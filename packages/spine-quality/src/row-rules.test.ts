import { ErrorCode } from '@market-spine/core';
import { describe, expect, it } from 'vitest';
import { validateRow } from './row-rules.js';
import type { RowRule } from './row-rules.js';

const rules: RowRule[] = [
  { column: 'symbol', rule: 'not_empty', code: 'MISSING_SYMBOL' },
  { column: 'symbol', rule: 'pattern', pattern: /^[A-Z][A-Z0-9.]*$/, code: 'BAD_SYMBOL' },
  { column: 'total_volume', rule: 'non_negative', code: 'NEGATIVE_VOLUME' },
  { column: 'total_trades', rule: 'non_negative', code: 'NEGATIVE_TRADES', message: 'trade count is negative' },
  { column: 'market_share', rule: 'between', min: 0, max: 100, code: 'BAD_SHARE' },
  { column: 'tier', rule: 'one_of', values: ['NMS_TIER_1', 'NMS_TIER_2', 'OTC'], code: 'UNKNOWN_TIER' },
];

const good = { symbol: 'AAPL', total_volume: 100, total_trades: 10, market_share: 100, tier: 'OTC' };

describe('validateRow', () => {
  it('accepts a row that keeps every rule, bounds inclusive', () => {
    expect(validateRow(rules, good)).toEqual({ ok: true });
    expect(validateRow(rules, { ...good, total_volume: 0, market_share: 0, total_trades: 5n })).toEqual({ ok: true });
  });

  it('reports every violation in rule order, with the rule code and a detail', () => {
    expect(validateRow(rules, { symbol: '  ', total_volume: -5, total_trades: -1, market_share: 100.5, tier: 'BAD' })).toEqual({
      ok: false,
      violations: [
        { column: 'symbol', code: 'MISSING_SYMBOL', detail: 'symbol is "  "; it must be a non-empty string' },
        { column: 'symbol', code: 'BAD_SYMBOL', detail: 'symbol is "  "; it must match /^[A-Z][A-Z0-9.]*$/' },
        { column: 'total_volume', code: 'NEGATIVE_VOLUME', detail: 'total_volume is -5; it must be a number >= 0' },
        { column: 'total_trades', code: 'NEGATIVE_TRADES', detail: 'trade count is negative' },
        { column: 'market_share', code: 'BAD_SHARE', detail: 'market_share is 100.5; it must be a number between 0 and 100' },
        { column: 'tier', code: 'UNKNOWN_TIER', detail: 'tier is "BAD"; it must be one of "NMS_TIER_1", "NMS_TIER_2", "OTC"' },
      ],
    });
  });

  it('fails non-finite numbers, numeric strings and negative bigints', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '5', -1n]) {
      const result = validateRow(rules, { ...good, total_volume: value, market_share: value });
      expect(result.ok ? [] : result.violations.map((v) => v.code)).toEqual(['NEGATIVE_VOLUME', 'BAD_SHARE']);
    }
  });

  it('lets NULL and missing values pass every rule but not_empty, as SQL CHECK constraints do', () => {
    expect(validateRow(rules, { symbol: 'X', total_volume: null, market_share: null, tier: null })).toEqual({ ok: true });
    const missing = validateRow(rules, {});
    expect(missing).toEqual({ ok: false, violations: [{ column: 'symbol', code: 'MISSING_SYMBOL', detail: 'symbol is missing; it must be a non-empty string' }] });
  });

  it('compares one_of values strictly and checks single bounds', () => {
    const numeric: RowRule[] = [
      { column: 'code', rule: 'one_of', values: [1, 2], code: 'BAD_CODE' },
      { column: 'weeks', rule: 'between', min: 6, code: 'SHORT_WINDOW' },
      { column: 'pct', rule: 'between', max: 100, code: 'OVER_100' },
    ];
    expect(validateRow(numeric, { code: 2, weeks: 6, pct: -3 })).toEqual({ ok: true });
    const result = validateRow(numeric, { code: '2', weeks: 5, pct: 101 });
    expect(result.ok ? [] : result.violations.map((v) => v.detail)).toEqual([
      'code is "2"; it must be one of 1, 2',
      'weeks is 5; it must be a number >= 6',
      'pct is 101; it must be a number <= 100',
    ]);
  });

  it('gives the same answer every time for a global pattern', () => {
    const global: RowRule[] = [{ column: 'symbol', rule: 'pattern', pattern: /^[A-Z]+$/g, code: 'BAD_SYMBOL' }];
    for (let i = 0; i < 3; i += 1) expect(validateRow(global, { symbol: 'AAPL' })).toEqual({ ok: true });
  });

  it('throws REGISTRY_INVALID for a rule without its parameter, whatever the value', () => {
    const broken: RowRule[][] = [
      [{ column: 'symbol', rule: 'pattern', code: 'BAD_SYMBOL' }],
      [{ column: 'pct', rule: 'between', code: 'BAD_PCT' }],
      [{ column: 'tier', rule: 'one_of', code: 'BAD_TIER' }],
    ];
    for (const rule of broken) {
      for (const value of ['A', 1, null]) {
        expect(() => validateRow(rule, { symbol: value, pct: value, tier: value })).toThrow(expect.objectContaining({ code: ErrorCode.REGISTRY_INVALID }));
      }
    }
  });
});
