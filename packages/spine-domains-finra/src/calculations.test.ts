import { describe, expect, it } from 'vitest';
import { percentString, ratioString, rollingMetrics, summarizeSymbols, symbolVenueShares, tierVenueShares, venueConcentration } from './calculations.js';
import type { VenueVolume } from './calculations.js';

const row = (symbol: string, mpid: string, volume: number, trades: number): VenueVolume => ({ symbol, mpid, volume, trades, issueName: null, participantName: null });

describe('weekly calculations', () => {
  const rows = [row('B', 'VEN1', 300, 3), row('A', 'VEN2', 100, 0), row('A', 'VEN1', 100, 4), row('A', 'VEN3', 200, 1)];

  it('summarises symbols', () => {
    expect(summarizeSymbols(rows)).toEqual([
      { symbol: 'A', issueName: null, totalVolume: 400, totalTrades: 5, venueCount: 3, avgTradeSize: 80 },
      { symbol: 'B', issueName: null, totalVolume: 300, totalTrades: 3, venueCount: 1, avgTradeSize: 100 },
    ]);
    expect(summarizeSymbols([row('C', 'VEN1', 10, 0)])[0]?.avgTradeSize).toBeNull();
  });

  it('gives equal volumes the same rank (RANK semantics)', () => {
    expect(symbolVenueShares(rows).map((s) => [s.symbol, s.mpid, s.venueShare, s.venueRank])).toEqual([
      ['A', 'VEN1', 0.25, 2],
      ['A', 'VEN2', 0.25, 2],
      ['A', 'VEN3', 0.5, 1],
      ['B', 'VEN1', 1, 1],
    ]);
  });

  it('computes tier-wide market shares that sum to 1', () => {
    const venues = tierVenueShares(rows);
    expect(venues.map((v) => [v.mpid, v.totalVolume, v.symbolCount, v.rank])).toEqual([
      ['VEN1', 400, 2, 1],
      ['VEN3', 200, 1, 2],
      ['VEN2', 100, 1, 3],
    ]);
    expect(venues.map((v) => v.marketShare)).toEqual([400 / 700, 200 / 700, 100 / 700]);
  });

  it('computes HHI as the sum of squared shares', () => {
    expect(venueConcentration(rows)).toEqual([
      { symbol: 'A', venueCount: 3, totalVolume: 400, hhi: 0.25 ** 2 + 0.25 ** 2 + 0.5 ** 2 },
      { symbol: 'B', venueCount: 1, totalVolume: 300, hhi: 1 },
    ]);
  });

  it('formats percentages and ratios as half-up decimal strings', () => {
    expect(percentString(12746, 25955)).toBe('49.1081');
    expect(percentString(1, 8, 2)).toBe('12.50');
    expect(ratioString(25955, 138)).toBe('188.08');
    expect(ratioString(5, 0)).toBeNull();
  });
});

describe('rolling six-week metrics', () => {
  const weeks = ['2025-10-24', '2025-10-31', '2025-11-07', '2025-11-14', '2025-11-21', '2025-11-28'];
  const history = (volumes: Record<string, number>) => new Map([['S', new Map(Object.entries(volumes).map(([w, v]) => [w, { volume: v, trades: v / 10 }]))]]);

  it('averages over the loaded weeks, counting a week without the symbol as zero', () => {
    const [m] = rollingMetrics(weeks, history({ '2025-10-24': 100, '2025-11-14': 300, '2025-11-28': 105 }), ['S']);
    expect(m).toMatchObject({ windowStart: '2025-10-24', avg6wVolume: 84, avg6wTrades: 8, weeksInWindow: 6, isCompleteWindow: true, trendDirection: 'FLAT', trendPct: '5.00' });
  });

  it('puts the ±5 % trend boundaries as DESIGN.md says: above +5 % is UP, below −5 % is DOWN', () => {
    const trend = (last: number) => rollingMetrics(['w1', 'w2'], new Map([['S', new Map([['w1', { volume: 10000, trades: 1 }], ['w2', { volume: last, trades: 1 }]])]]), ['S'])[0];
    expect(trend(10500)).toMatchObject({ trendDirection: 'FLAT', trendPct: '5.00' });
    expect(trend(10501)).toMatchObject({ trendDirection: 'UP', trendPct: '5.01' });
    expect(trend(9500)).toMatchObject({ trendDirection: 'FLAT', trendPct: '-5.00' });
    expect(trend(9499)).toMatchObject({ trendDirection: 'DOWN', trendPct: '-5.01' });
  });

  it('has no trend percentage when the first week had no volume', () => {
    expect(rollingMetrics(['w1', 'w2'], history({ w2: 50 }), ['S'])[0]).toMatchObject({ trendDirection: 'UP', trendPct: null, avg6wVolume: 25, isCompleteWindow: false });
  });

  it('rounds averages half up', () => {
    expect(rollingMetrics(['w1', 'w2'], history({ w1: 1, w2: 2 }), ['S'])[0]?.avg6wVolume).toBe(2);
  });
});

describe('rolling trend v2: the last week against the mean of the earlier weeks', () => {
  const history = (volumes: Record<string, number>) => new Map([['S', new Map(Object.entries(volumes).map(([w, v]) => [w, { volume: v, trades: 1 }]))]]);
  const both = (weeks: string[], volumes: Record<string, number>) =>
    (['first_vs_last', 'last_vs_prior_mean'] as const).map((rule) => {
      const m = rollingMetrics(weeks, history(volumes), ['S'], rule)[0];
      return [m?.trendDirection, m?.trendPct];
    });

  it('is not decided by one unusual first week, where v1 is', () => {
    // A 1,000-share first week, then 100 and 90: v1 says DOWN 91 %; against the mean of 1,000 and 100 (550) it is DOWN 83.64 %.
    expect(both(['w1', 'w2', 'w3'], { w1: 1000, w2: 100, w3: 90 })).toEqual([['DOWN', '-91.00'], ['DOWN', '-83.64']]);
    // A quiet first week (10), then 200 and 150: v1 says UP 1,400 %; against the mean of 10 and 200 (105) it is UP 42.86 %.
    expect(both(['w1', 'w2', 'w3'], { w1: 10, w2: 200, w3: 150 })).toEqual([['UP', '1400.00'], ['UP', '42.86']]);
    // 100, 300, then 190: v1 UP 90 %; against the mean 200 it is −5.00 %, FLAT (not below −5 %); 189 is −5.50 %, DOWN.
    expect(both(['w1', 'w2', 'w3'], { w1: 100, w2: 300, w3: 190 })).toEqual([['UP', '90.00'], ['FLAT', '-5.00']]);
    expect(both(['w1', 'w2', 'w3'], { w1: 100, w2: 300, w3: 189 })).toEqual([['UP', '89.00'], ['DOWN', '-5.50']]);
  });

  it('keeps the averages, the window and its completeness of v1', () => {
    const weeks = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    const volumes = { w1: 7, w2: 0, w3: 13, w5: 40, w6: 21 };
    const [v1, v2] = (['first_vs_last', 'last_vs_prior_mean'] as const).map((rule) => rollingMetrics(weeks, history(volumes), ['S'], rule)[0]);
    expect({ ...v2, trendDirection: v1?.trendDirection, trendPct: v1?.trendPct }).toEqual(v1);
    // Mean of 7, 0, 13, 0 (absent) and 40 is 12; 21 is 75 % above it.
    expect(v2).toMatchObject({ trendDirection: 'UP', trendPct: '75.00', weeksInWindow: 6, isCompleteWindow: true });
  });

  it('has no trend percentage without an earlier week, or when the earlier weeks had no volume', () => {
    expect(both(['w1'], { w1: 50 })).toEqual([['FLAT', '0.00'], ['FLAT', null]]);
    expect(both(['w1', 'w2', 'w3'], { w3: 50 })).toEqual([['UP', null], ['UP', null]]);
    expect(both(['w1', 'w2'], {})).toEqual([['FLAT', null], ['FLAT', null]]);
  });

  it('does not round the mean before dividing: 100, 101, 102 against 100.5 is +1.49 %', () => {
    // (2 × 102 − 201) / 201 = 1.4925… %; a mean rounded to 101 would give 0.99 %.
    expect(both(['w1', 'w2', 'w3'], { w1: 100, w2: 101, w3: 102 })[1]).toEqual(['FLAT', '1.49']);
  });
});
