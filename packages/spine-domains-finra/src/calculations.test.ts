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
