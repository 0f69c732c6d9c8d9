import type { SpineDb } from '@market-spine/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../pipeline/run.js';
import { sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { migratedDb } from '../test-support/finra-db.js';
import { escapeHtml } from './html.js';
import { formatShare, renderWeekReportHtml } from './render-html.js';
import { collectWeekReport, hhiBands } from './week-report.js';
import type { WeekReport } from './week-report.js';

/** Bars of the chart `id` in a rendered page: `[data-label, width]`. */
function bars(page: string, id: string): [string, number][] {
  const svg = new RegExp(`<svg class="chart" data-chart="${id}"[\\s\\S]*?</svg>`).exec(page)?.[0] ?? '';
  return [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"[^>]* data-label="([^"]*)"/g)].map((m) => [m[2] ?? '', Number(m[1])]);
}

describe('the week report on the three real OTC samples', () => {
  let db: SpineDb<FinraTables>;

  beforeAll(async () => {
    db = await migratedDb();
    await runPipeline(db, sampleFiles());
  });
  afterAll(async () => db.close());

  it('collects venues, concentration, rejects and quality of the newest capture', async () => {
    const report = await collectWeekReport(db, '2025-11-14', 'OTC', { generatedAt: '2026-01-01T00:00:00.000Z' });
    expect(report.week).toMatchObject({ weekEnding: '2025-11-14', tier: 'OTC', symbols: 3111, rejected: 0, quality: 'WARN' });
    expect(report.venues.map((v) => v.mpid).slice(0, 3)).toEqual(['OTCN', 'OTCX', 'ARCA']);
    expect(report.venues[0]?.marketShare).toBeCloseTo(0.821884, 6);
    expect(report.concentration.symbols).toBe(3111);
    expect(report.concentration.bands.reduce((n, b) => n + b.symbols, 0)).toBe(3111);
    expect(report.concentration.most).toHaveLength(10);
    expect(report.concentration.most.every((s) => s.hhi === 1 && s.venueCount === 1)).toBe(true);
    // Ties on HHI 1: larger volume first.
    const volumes = report.concentration.most.map((s) => s.totalVolume);
    expect(volumes).toEqual([...volumes].sort((a, b) => b - a));
    expect(report.concentration.least[0]).toMatchObject({ symbol: 'DASTY', venueCount: 3 });
    expect(report.concentration.least[0]?.hhi).toBeCloseTo(0.333592798, 8);
    expect(report.rejects).toEqual({ total: 0, counts: [], rows: [] });
    expect(report.quality.map((q) => [q.stage, q.check_name, q.status])).toEqual([
      ['NORMALIZED', 'no_negative_volumes', 'PASS'],
      ['NORMALIZED', 'no_negative_trades', 'PASS'],
      ['NORMALIZED', 'no_duplicate_natural_keys', 'PASS'],
      ['NORMALIZED', 'symbol_count_positive', 'PASS'],
      ['NORMALIZED', 'venue_count_positive', 'PASS'],
      ['AGGREGATED', 'market_share_sum_100', 'PASS'],
      ['AGGREGATED', 'symbol_venue_share_sum_100', 'PASS'],
      ['ROLLING', 'rolling_window_complete', 'WARN'],
    ]);
  });

  it('lists the rejects of a week with their counts and raw lines', async () => {
    const report = await collectWeekReport(db, '2025-11-28', 'OTC');
    expect(report.rejects.counts).toEqual([{ reasonCode: 'INVALID_SYMBOL', count: 1 }]);
    expect(report.rejects.rows).toMatchObject([{ line_number: 4656, stage: 'NORMALIZE', raw_line: 'OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-29' }]);
    const page = renderWeekReportHtml(report);
    expect(bars(page, 'reject-reasons')).toEqual([['INVALID_SYMBOL', 450]]);
    expect(page).toContain('OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-29');
  });

  it('refuses a (week, tier) that is not loaded with INVALID_ARGUMENT, naming the loaded ones', async () => {
    await expect(collectWeekReport(db, '2025-11-07', 'OTC')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', hint: expect.stringContaining('2025-11-28 OTC, 2025-11-21 OTC, 2025-11-14 OTC') });
    await expect(collectWeekReport(db, '2025-11-14', 'NMS_TIER_1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(collectWeekReport(db, '2025-11-14', 'OTC', { top: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('renders a self-contained page: one bar per venue and symbol, no script, no external reference', async () => {
    const page = renderWeekReportHtml(await collectWeekReport(db, '2025-11-14', 'OTC', { top: 5 }));
    const venues = bars(page, 'venue-share');
    expect(venues.map(([label]) => label)).toEqual(['OTCN', 'OTCX', 'ARCA', 'SWCL', 'PPEX', 'PROS', 'ALTS', 'SMKT', 'STEN']);
    // Scaled to the largest share; tiny shares stay visible (1 px).
    expect(venues[0]?.[1]).toBe(450);
    expect(venues[1]?.[1]).toBeCloseTo((450 * 0.144231797309983) / 0.821883934807072, 1);
    expect(venues.every(([, width]) => width >= 1)).toBe(true);
    expect(bars(page, 'hhi-most')).toHaveLength(5);
    expect(bars(page, 'hhi-least')).toHaveLength(5);
    expect(bars(page, 'hhi-distribution')).toHaveLength(6);
    expect(page).toContain('82.19 %');
    expect(page).toContain('data-empty="rejects"');
    expect(page).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
  });
});

describe('the report renderer', () => {
  const hostile = '<script>alert("x")</script>&\'';
  const report: WeekReport = {
    weekEnding: '2025-11-14',
    tier: 'OTC',
    week: {
      weekEnding: '2025-11-14',
      tier: 'OTC',
      stage: 'SNAPSHOT',
      captureId: 'cap_<b>',
      capturedAt: '2025-12-01T00:00:00.000Z',
      captures: 1,
      lines: 3,
      accepted: 2,
      rejected: 1,
      symbols: 1,
      totalVolume: 300,
      quality: 'FAIL',
      sourceLocator: `/data/${hostile}.csv`,
    },
    venues: [
      { mpid: 'A<B', participantName: hostile, totalVolume: 200, totalTrades: 2, symbolCount: 1, marketShare: 2 / 3, rank: 1 },
      { mpid: 'C&D', participantName: null, totalVolume: 100, totalTrades: 1, symbolCount: 1, marketShare: 1 / 3, rank: 2 },
    ],
    concentration: { symbols: 1, most: [{ symbol: hostile, venueCount: 2, totalVolume: 300, hhi: 5 / 9 }], least: [{ symbol: hostile, venueCount: 2, totalVolume: 300, hhi: 5 / 9 }], bands: hhiBands([{ symbol: 'X', venueCount: 2, totalVolume: 300, hhi: 5 / 9 }]) },
    rejects: {
      total: 1,
      counts: [{ reasonCode: 'PARSE_ERROR', count: 1 }],
      rows: [{ line_number: 3, stage: 'INGEST', reason_code: 'PARSE_ERROR', reason_detail: hostile, raw_line: `OTC|${hostile}|"quoted"`, source_locator: 'x.csv' }],
    },
    quality: [{ stage: 'NORMALIZED', check_name: 'no_negative_volumes', category: 'INTEGRITY', severity: 'FAIL', status: 'FAIL', check_value: '1', expected_value: '0', message: hostile, failed_row_count: 1, checked_at: '2025-12-01T00:00:00.000Z' }],
    generatedAt: '2026-01-01T00:00:00.000Z',
  };

  it('escapes every value taken from the data', () => {
    const page = renderWeekReportHtml(report);
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(page).toContain('data-label="A&lt;B"');
    expect(page).toContain('C&amp;D');
    expect(page).toContain('OTC|&lt;script&gt;');
    expect(bars(page, 'hhi-distribution').map(([label, width]) => [label, width > 0])).toEqual([
      ['0 – 0.2', false],
      ['0.2 – 0.4', false],
      ['0.4 – 0.6', true],
      ['0.6 – 0.8', false],
      ['0.8 – 1', false],
      ['1 (one venue)', false],
    ]);
  });

  it('formats shares and escapes text', () => {
    expect(formatShare(0.821883934807072)).toBe('82.19 %');
    expect(formatShare(7.48505290511367e-9)).toBe('< 0.01 %');
    expect(formatShare(0)).toBe('0 %');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
