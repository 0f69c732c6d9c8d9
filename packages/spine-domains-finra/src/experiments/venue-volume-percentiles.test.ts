import { fileURLToPath } from 'node:url';
import { Migrator, coreMigrationSource, dropScratch, listScratch } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finraMigrationSource } from '../migration-source.js';
import { runPipeline } from '../pipeline/run.js';
import { sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { migratedDb } from '../test-support/finra-db.js';
import { FINRA_EXPERIMENTS, VENUE_VOLUME_PERCENTILES_VIEW } from './venue-volume-percentiles.js';
import type { VenueVolumePercentiles } from './venue-volume-percentiles.js';

/** 100 real NMS Tier 1 venue rows, 20 to 29 venues per symbol (src/fixtures, samples/PROVENANCE.md), loaded as the week ending Friday 2025-12-12. */
const T1_FIXTURE = fileURLToPath(new URL('../fixtures/week_2025-12-13.psv', import.meta.url));

/*
 * Expected values computed independently with a short Python script over the
 * files (split on '|', sort each symbol's venue volumes, then PostgreSQL's
 * PERCENTILE_CONT definition: position p·(n − 1) in floating point, linear
 * interpolation between its neighbours; numpy.percentile(method='linear')
 * gives the same to 1e-9): [symbol, venues, p50, p95] in shares.
 */
const T1_EXPECTED: readonly (readonly [string, number, number, number])[] = [
  ['A', 29, 62167.0, 480384.7999999997],
  ['AA', 28, 94923.5, 697616.5499999993],
  ['AAAU', 20, 6693.5, 67493.65000000002],
  ['AAL', 23, 313671.0, 1835882.7],
];
/** Week 2025-11-14 (OTC sample): at most 3 venues per symbol. */
const OTC_EXPECTED: readonly (readonly [string, number, number, number])[] = [
  ['AABB', 2, 3397092.0, 6418193.1],
  ['AACAY', 3, 10563.0, 12527.7],
  ['AAGIY', 3, 93919.0, 241923.09999999998],
];
/** Over the 3,111 symbols of week 2025-11-14: Σ p50 and Σ p95, shares. */
const OTC_SUMS = { symbols: 3111, p50: 771633636.5, p95: 1165059139.2500002 };

/** The view's rows of each dialect, without the run-specific capture columns, to compare them across dialects. */
const viewRows = new Map<string, unknown[]>();

for (const dialect of testDialects()) {
  describe(`the venue volume percentile view on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    const rows = async (): Promise<VenueVolumePercentiles[]> =>
      (await db.kysely.selectFrom(VENUE_VOLUME_PERCENTILES_VIEW as 'finra_otc_transparency_raw').selectAll().orderBy('week_ending').orderBy('symbol').execute()) as unknown as VenueVolumePercentiles[];

    beforeAll(async () => {
      db = await migratedDb(dialect);
      expect((await runPipeline(db, [sampleFiles()[0] as string])).status).toBe('ok');
      expect((await runPipeline(db, [T1_FIXTURE], { weekEnding: '2025-12-12', tier: 'NMS_TIER_1' })).status).toBe('ok');
    }, 300_000);
    afterAll(closeTestDatabases);

    it('is created on demand as an _exp_ view, listed as a scratch object and outside the drift check', async () => {
      expect(await FINRA_EXPERIMENTS['venue-volume-percentiles']?.create(db)).toMatchObject({ status: 'created', object: { name: VENUE_VOLUME_PERCENTILES_VIEW, kind: 'view' } });
      expect((await listScratch(db)).map((o) => o.name)).toEqual([VENUE_VOLUME_PERCENTILES_VIEW]);
      const verified = await new Migrator(db, { sources: [coreMigrationSource(), finraMigrationSource()] }).verify();
      expect(verified.drift).toEqual([]);
    });

    it('gives PERCENTILE_CONT(0.5) and (0.95) of the venue volumes per symbol, as computed independently', async () => {
      const all = await rows();
      const bySymbol = new Map(all.map((r) => [`${r.week_ending} ${r.symbol}`, r]));
      for (const [week, expected] of [['2025-12-12', T1_EXPECTED], ['2025-11-14', OTC_EXPECTED]] as const) {
        for (const [symbol, venues, p50, p95] of expected) {
          const row = bySymbol.get(`${week} ${symbol}`);
          expect(row?.venue_count, symbol).toBe(venues);
          expect(row?.p50_volume, symbol).toBeCloseTo(p50, 6);
          expect(row?.p95_volume, symbol).toBeCloseTo(p95, 6);
        }
      }
      const otc = all.filter((r) => r.week_ending === '2025-11-14');
      expect(otc).toHaveLength(OTC_SUMS.symbols);
      expect(otc.reduce((s, r) => s + r.p50_volume, 0)).toBeCloseTo(OTC_SUMS.p50, 3);
      expect(otc.reduce((s, r) => s + r.p95_volume, 0)).toBeCloseTo(OTC_SUMS.p95, 3);
      viewRows.set(dialect.name, all.map(({ capture_id: _c, captured_at: _t, ...rest }) => rest));
    });

    it('is dropped like any scratch object', async () => {
      expect(await dropScratch(db, VENUE_VOLUME_PERCENTILES_VIEW)).toMatchObject({ status: 'dropped', kind: 'view' });
      expect(await listScratch(db)).toEqual([]);
    });
  });
}

describe('the percentile view across dialects', () => {
  // Runs after the suites above (a file's tests run in order), which collect each dialect's rows.
  it('returns the same numbers on SQLite and PostgreSQL, to the last bit', () => {
    expect(viewRows.get('sqlite')).toHaveLength(OTC_SUMS.symbols + T1_EXPECTED.length);
    expect(viewRows.get('postgres')).toEqual(viewRows.get('sqlite'));
  });
});
