import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SAMPLES_DIR } from '@market-spine/domains-finra';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { spine, tempCwd } from '../test-support/cli.js';

/*
 * Figures of the real OTC samples, as in
 * packages/spine-domains-finra/src/report/week-report.test.ts: week ending
 * 2025-11-14 has 9 venues (OTCN 82.19 %, OTCX 14.42 %), 3,111 symbols, no
 * rejects and 8 quality results (rolling_window_complete WARN: one week of
 * the 6-week window); 2025-11-28 has one INVALID_SYMBOL reject on line 4656.
 */
const OTCN_SHARE = 0.821883934807072;
const OTCX_SHARE = 0.144231797309983;

/** Debian's `chromium` package (.ci/run installs it), driven by playwright-core: no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Migrates ./spine.db in a new folder and loads the three bundled samples. */
async function loadedCwd(): Promise<string> {
  const cwd = tempCwd();
  expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
  expect((await spine(cwd, 'finra', 'run', SAMPLES_DIR)).code).toBe(0);
  return cwd;
}

describe('spine finra report', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await loadedCwd();
  });

  it('writes the week as one self-contained HTML page and says what it holds', async () => {
    const run = await spine(cwd, 'finra', 'report', '--week', '2025-11-14', '--tier', 'otc', '--out', 'report.html');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toMatch(/^Wrote report\.html \(.+\): 2025-11-14 OTC — 9 venues \(top OTCN 82\.19 %\), 3,111 symbols, 0 rejects, quality WARN\.\n$/);
    const page = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<title>FINRA OTC transparency — week ending 2025-11-14, OTC</title>');
    // Nothing to fetch: no script, no src/href, and a policy that allows loading nothing.
    expect(page).not.toMatch(/<script|\s(src|href)=|@import|url\(/i);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);

    const json = await spine(cwd, 'finra', 'report', '--week', '2025-11-28', '--tier', 'OTC', '--json');
    expect(json.code).toBe(ExitCode.OK);
    expect(JSON.parse(json.stdout)).toMatchObject({ path: join(cwd, 'finra-report_2025-11-28_OTC.html'), weekEnding: '2025-11-28', tier: 'OTC', symbols: 2714, rejects: 1, quality: 'WARN' });
    expect(existsSync(join(cwd, 'finra-report_2025-11-28_OTC.html'))).toBe(true);
  });

  it('refuses a week that is not loaded, a bad --top and an unwritable --out, saying what to do', async () => {
    const notLoaded = await spine(cwd, 'finra', 'report', '--week', '2025-11-07', '--tier', 'OTC');
    expect(notLoaded.code).toBe(ExitCode.USAGE);
    expect(notLoaded.stderr).toContain('No FINRA data loaded for week ending 2025-11-07, tier OTC.');
    expect(notLoaded.stderr).toContain('Loaded: 2025-11-28 OTC, 2025-11-21 OTC, 2025-11-14 OTC');
    expect(existsSync(join(cwd, 'finra-report_2025-11-07_OTC.html'))).toBe(false);
    const top = await spine(cwd, 'finra', 'report', '--week', '2025-11-14', '--tier', 'OTC', '--top', '0');
    expect(top.code).toBe(ExitCode.USAGE);
    expect(top.stderr).toContain('--top must be a positive whole number');
    const out = await spine(cwd, 'finra', 'report', '--week', '2025-11-14', '--tier', 'OTC', '--out', join(cwd, 'no-such-folder', 'r.html'));
    expect(out.code).toBe(ExitCode.USAGE);
    expect(out.stderr).toContain('Pass --out with a file in an existing, writable folder.');
    expect((await spine(tempCwd(), 'finra', 'report', '--week', '2025-11-14', '--tier', 'OTC')).code).toBe(ExitCode.DATABASE);
  });
});

/** A report opened offline, with every request, console error and page error it caused. */
interface OpenedReport {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
}

/** Rendered bars of one chart: label, value and on-screen size in CSS pixels. */
async function renderedBars(page: Page, chart: string): Promise<{ label: string; value: number; width: number; height: number }[]> {
  const bars = await page.locator(`svg[data-chart="${chart}"] rect.bar`).all();
  return Promise.all(
    bars.map(async (bar) => {
      const box = await bar.boundingBox();
      return { label: (await bar.getAttribute('data-label')) ?? '', value: Number(await bar.getAttribute('data-value')), width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
}

// Outside CI a machine without Debian's chromium skips these; in CI they run and fail without it.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('the report in headless Chromium', () => {
  let cwd: string;
  let browser: Browser;

  async function open(file: string): Promise<OpenedReport> {
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const report: OpenedReport = { page, requests: [], errors: [] };
    page.on('request', (request) => report.requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') report.errors.push(message.text());
    });
    page.on('pageerror', (error) => report.errors.push(error.message));
    await page.goto(pathToFileURL(join(cwd, file)).href, { waitUntil: 'load' });
    return report;
  }

  beforeAll(async () => {
    cwd = await loadedCwd();
    expect((await spine(cwd, 'finra', 'report', '--week', '2025-11-14', '--tier', 'OTC', '--out', 'otc-1114.html')).code).toBe(0);
    expect((await spine(cwd, 'finra', 'report', '--week', '2025-11-28', '--tier', 'OTC', '--out', 'otc-1128.html', '--top', '3')).code).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart with one visible bar per venue, symbol and HHI band, without a request or an error', async () => {
    const { page, requests, errors } = await open('otc-1114.html');
    expect(await page.title()).toBe('FINRA OTC transparency — week ending 2025-11-14, OTC');
    const charts = await page.locator('svg.chart').all();
    expect(await Promise.all(charts.map((c) => c.getAttribute('data-chart')))).toEqual(['venue-share', 'hhi-distribution', 'hhi-most', 'hhi-least']);
    for (const chart of charts) {
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(box?.height).toBeGreaterThan(30);
    }

    const venues = await renderedBars(page, 'venue-share');
    expect(venues.map((b) => b.label)).toEqual(['OTCN', 'OTCX', 'ARCA', 'SWCL', 'PPEX', 'PROS', 'ALTS', 'SMKT', 'STEN']);
    expect(venues[0]?.value).toBeCloseTo(OTCN_SHARE, 12);
    expect(venues.every((b) => b.width > 0 && b.height > 0)).toBe(true);
    // Drawn to scale: OTCX's bar is its share of OTCN's (to a pixel).
    expect((venues[1]?.width ?? 0) / (venues[0]?.width ?? 1)).toBeCloseTo(OTCX_SHARE / OTCN_SHARE, 2);
    expect(await page.locator('table[data-table="venues"] tbody tr').first().innerText()).toMatch(/^1\s+OTCN\s.*\s82\.19 %$/);

    // Symbols by HHI band: counted from symbol_summary_latest (one venue ⇔ HHI 1), not from the report's code.
    const bands = await renderedBars(page, 'hhi-distribution');
    expect(bands).toHaveLength(6);
    expect(bands.reduce((n, b) => n + b.value, 0)).toBe(3111);
    const sqlite = new Database(join(cwd, 'spine.db'), { readonly: true });
    const singleVenue = sqlite
      .prepare("SELECT count(*) AS n FROM finra_otc_transparency_symbol_summary_latest WHERE week_ending = '2025-11-14' AND tier = 'OTC' AND venue_count = 1")
      .get() as { n: number };
    sqlite.close();
    expect(bands[5]).toMatchObject({ label: '1 (one venue)', value: singleVenue.n });
    expect(bands.filter((b) => b.value > 0).every((b) => b.width > 0)).toBe(true);

    const most = await renderedBars(page, 'hhi-most');
    const least = await renderedBars(page, 'hhi-least');
    expect(most).toHaveLength(10);
    expect(most.every((b) => b.value === 1 && b.width > 0)).toBe(true);
    expect(least).toHaveLength(10);
    expect(least[0]).toMatchObject({ label: 'DASTY' });
    expect(least[0]?.value).toBeCloseTo(0.333592798, 8);
    // HHI charts share the 0–1 scale: DASTY's bar is a third of a one-venue symbol's.
    expect((least[0]?.width ?? 0) / (most[0]?.width ?? 1)).toBeCloseTo(0.333592798, 2);

    // The inline style applies under the page's Content-Security-Policy.
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('svg[data-chart="venue-share"] rect.bar')).fill`)).toBe('rgb(47, 109, 181)');
    expect(await page.locator('#rejects [data-empty="rejects"]').innerText()).toContain('No rejects');
    const quality = page.locator('table[data-table="quality"] tbody tr');
    expect(await quality.count()).toBe(8);
    expect(await page.locator('table[data-table="quality"] tr[data-status="WARN"]').getAttribute('data-check')).toBe('rolling_window_complete');

    expect(requests).toEqual([page.url()]);
    expect(errors).toEqual([]);
  });

  it('charts and lists the rejects of 2025-11-28', async () => {
    const { page, requests, errors } = await open('otc-1128.html');
    const rejects = await renderedBars(page, 'reject-reasons');
    expect(rejects).toMatchObject([{ label: 'INVALID_SYMBOL', value: 1 }]);
    expect(rejects[0]?.width).toBeGreaterThan(0);
    const row = await page.locator('table[data-table="rejects"] tbody tr').all();
    expect(row).toHaveLength(1);
    expect(await row[0]?.innerText()).toContain('OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-29');
    expect(await renderedBars(page, 'hhi-most')).toHaveLength(3);
    expect(requests).toEqual([page.url()]);
    expect(errors).toEqual([]);
  });
});
