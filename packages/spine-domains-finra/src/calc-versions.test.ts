import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCalcsDatabase, calcVersionCounts } from './calc-catalog.js';
import { readCalcRows } from './calc-read.js';
import { CALCS, defineCalcs, latestView } from './calcs.js';
import { runPipeline } from './pipeline/run.js';
import { sampleFiles } from './samples.js';
import type { FinraTables } from './tables.js';
import { migratedDb } from './test-support/finra-db.js';

/*
 * Expected v2 figures were computed independently of this code with awk over
 * the three sample files (in file order: weeks 2025-11-14, -21, -28), summing
 * totalWeeklyShareQuantity per symbol and week and skipping the empty symbol:
 *
 *   awk -F'|' 'FNR == 1 { w++ } FNR > 1 && $2 != "" { v[w, $2] += $6; if (w == 3) s[$2] = 1 }
 *     END { for (x in s) { ref = v[1, x] + v[2, x]; last = v[3, x]
 *             d = ref == 0 ? (last > 0 ? "UP" : "FLAT") : ((2 * last - ref) / ref > 0.05 ? "UP" : ((2 * last - ref) / ref < -0.05 ? "DOWN" : "FLAT")); n[d]++ }
 *           for (d in n) print d, n[d]
 *           printf "VNUE %.6f\n", (2 * v[3, "VNUE"] - v[1, "VNUE"] - v[2, "VNUE"]) / (v[1, "VNUE"] + v[2, "VNUE"]) * 100 }' samples/*.csv
 *
 * prints UP 1196, DOWN 1445, FLAT 73 and VNUE 77.945821 (its weeks:
 * 39,512,432, 455,911 and 35,560,998 shares). The same script with v1's rule
 * ((last − week 1) / week 1) disagrees with v2 on the direction of 497 of
 * the 2,714 symbols of week 2025-11-28.
 */

const ROLLING = CALCS.symbol_rolling_6w;
const WEEK3 = '2025-11-28';

/** A view's rows without run-specific columns, as sorted comparable text. */
async function viewRows(db: SpineDb<FinraTables>, view: string): Promise<string[]> {
  const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(view)}`.execute(db.kysely);
  return result.rows.map((r) => JSON.stringify(Object.entries(r).filter(([k]) => !/_at$|^execution_id$/.test(k)))).sort();
}

for (const dialect of testDialects()) {
  describe(`calculation versions on the three real OTC samples, on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;

    beforeAll(async () => {
      db = await migratedDb(dialect);
      expect((await runPipeline(db, sampleFiles())).status).toBe('ok');
    });
    afterAll(async () => db.close());

    it('writes symbol_rolling_6w v1 and v2 side by side in one table, one row per symbol and week each', async () => {
      expect(await calcVersionCounts(db, 'symbol_rolling_6w')).toEqual([
        { version: 'v1', state: 'current', rows: 3111 + 2985 + 2714 },
        { version: 'v2', state: 'active', rows: 3111 + 2985 + 2714 },
      ]);
      expect(await calcVersionCounts(db, 'symbol_summary')).toEqual([{ version: 'v1', state: 'current', rows: 8810 }]);
    });

    it('shows the current version in <table>_latest and each version in <table>_<version>_latest', async () => {
      for (const [name, calc] of Object.entries(CALCS)) {
        expect(await viewRows(db, latestView(calc, calc.current)), name).toEqual(await viewRows(db, latestView(calc)));
      }
      const v2 = await db.kysely.selectFrom('finra_otc_transparency_symbol_rolling_6w_v2_latest').select(['calc_version', 'week_ending']).execute();
      expect(v2).toHaveLength(8810);
      expect(await viewRows(db, 'finra_otc_transparency_symbol_rolling_6w_latest')).toHaveLength(8810);
      expect(new Set(v2.map((r) => r.calc_version))).toEqual(new Set(['v2']));
      const latest = await db.kysely.selectFrom('finra_otc_transparency_symbol_rolling_6w_latest').select('calc_version').distinct().execute();
      expect(latest).toEqual([{ calc_version: 'v1' }]);
    });

    it('computes v2 as the awk script does, and differs from v1 where the first week was unusual', async () => {
      const vnue = (view: 'finra_otc_transparency_symbol_rolling_6w_v1_latest' | 'finra_otc_transparency_symbol_rolling_6w_v2_latest') =>
        db.kysely.selectFrom(view).selectAll().where('symbol', '=', 'VNUE').where('week_ending', '=', WEEK3).executeTakeFirstOrThrow();
      // v1: (35,560,998 − 39,512,432) / 39,512,432 = −10.0005 %; v2: against the mean of 39,512,432 and 455,911, +77.9458 %.
      expect(await vnue('finra_otc_transparency_symbol_rolling_6w_v1_latest')).toMatchObject({ trend_direction: 'DOWN', trend_pct: '-10.00', avg_6w_volume: 25176447 });
      expect(await vnue('finra_otc_transparency_symbol_rolling_6w_v2_latest')).toMatchObject({ trend_direction: 'UP', trend_pct: '77.95', avg_6w_volume: 25176447, window_start: '2025-11-14', weeks_in_window: 3 });

      const directions = await db.kysely
        .selectFrom('finra_otc_transparency_symbol_rolling_6w_v2_latest')
        .select((eb) => ['trend_direction', eb.fn.countAll<number>().as('n')])
        .where('week_ending', '=', WEEK3)
        .groupBy('trend_direction')
        .execute();
      expect(Object.fromEntries(directions.map((d) => [d.trend_direction, Number(d.n)]))).toEqual({ UP: 1196, DOWN: 1445, FLAT: 73 });

      const disagree = await sql<{ week_ending: string; n: number }>`
        SELECT a.week_ending, count(*) AS n
        FROM finra_otc_transparency_symbol_rolling_6w_v1_latest AS a
        JOIN finra_otc_transparency_symbol_rolling_6w_v2_latest AS b ON b.week_ending = a.week_ending AND b.tier = a.tier AND b.symbol = a.symbol
        WHERE a.trend_direction <> b.trend_direction
        GROUP BY a.week_ending ORDER BY a.week_ending`.execute(db.kysely);
      // Week 1: v1 compares the week with itself (FLAT, 0.00), v2 has no earlier week (FLAT, no percentage); week 2: one earlier week, the same figure.
      expect(disagree.rows.map((r) => [String(r.week_ending), Number(r.n)])).toEqual([[WEEK3, 497]]);
      const week1 = await db.kysely.selectFrom('finra_otc_transparency_symbol_rolling_6w_v2_latest').select('trend_pct').distinct().where('week_ending', '=', '2025-11-14').execute();
      expect(week1).toEqual([{ trend_pct: null }]);
    });

    it('keeps the later stages and the quality checks on the current version', async () => {
      const snapshot = await db.kysely.selectFrom('finra_otc_transparency_research_snapshot_latest').selectAll().where('symbol', '=', 'VNUE').where('week_ending', '=', WEEK3).executeTakeFirstOrThrow();
      expect(snapshot.rolling_trend_direction).toBe('DOWN');
      const check = await db.kysely
        .selectFrom('core_quality_checks')
        .select(['status', 'failed_row_count'])
        .where('check_name', '=', 'rolling_window_complete')
        .where('partition_key', '=', `${WEEK3}|OTC`)
        .executeTakeFirstOrThrow();
      // Each symbol's incomplete window counts once, not once per version.
      expect({ status: check.status, failed: Number(check.failed_row_count) }).toEqual({ status: 'WARN', failed: 2714 });
      const rolling = await db.kysely.selectFrom('core_manifest').select('row_count_out').where('partition_key', '=', `${WEEK3}|OTC`).where('stage', '=', 'ROLLING').executeTakeFirstOrThrow();
      expect(Number(rolling.row_count_out)).toBe(2714);
    });

    it('reads a version through the API and warns when it is deprecated', async () => {
      const where = { week_ending: WEEK3, symbol: 'VNUE' };
      const current = await readCalcRows(db, 'symbol_rolling_6w', { where });
      expect(current).toMatchObject({ calc: 'symbol_rolling_6w', version: 'v1', view: 'finra_otc_transparency_symbol_rolling_6w_v1_latest', warnings: [] });
      expect(current.rows.map((r) => [r.trend_direction, r.trend_pct])).toEqual([['DOWN', '-10.00']]);
      const v2 = await readCalcRows(db, 'symbol_rolling_6w', { version: 'v2', where });
      expect(v2.rows.map((r) => [r.trend_direction, r.trend_pct])).toEqual([['UP', '77.95']]);
      expect(v2.warnings).toEqual([]);

      // A release that makes v2 current and deprecates v1.
      const registry = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...ROLLING, current: 'v2', deprecated: ['v1'] } });
      const old = await readCalcRows(db, 'symbol_rolling_6w', { version: 'v1', where, registry });
      expect(old.rows.map((r) => r.trend_direction)).toEqual(['DOWN']);
      expect(old.warnings).toEqual([
        {
          code: 'CALC_VERSION_DEPRECATED',
          calc: 'symbol_rolling_6w',
          version: 'v1',
          current: 'v2',
          message: 'symbol_rolling_6w v1 is deprecated: it gets no new weeks and may be removed in a later release; read v2 (finra_otc_transparency_symbol_rolling_6w_latest) instead.',
        },
      ]);
      const byDefault = await readCalcRows(db, 'symbol_rolling_6w', { where, registry });
      expect(byDefault).toMatchObject({ version: 'v2', warnings: [] });
      expect(byDefault.rows.map((r) => r.trend_direction)).toEqual(['UP']);
    });

    it('orders rows by the business keys, limits them, and refuses unknown versions and non-key filters', async () => {
      const some = await readCalcRows(db, 'venue_concentration_hhi', { where: { week_ending: WEEK3 }, limit: 3 });
      expect(some.rows.map((r) => r.symbol)).toEqual(['AABB', 'AACTF', 'AAGAF']);
      await expect(readCalcRows(db, 'symbol_rolling_6w', { version: 'v3' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'symbol_rolling_6w has no version "v3".' });
      await expect(readCalcRows(db, 'symbol_rolling_6w', { where: { hhi: 1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(readCalcRows(db, 'symbol_rolling_6w', { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const hostile = await readCalcRows(db, 'symbol_rolling_6w', { where: { symbol: "VNUE' OR '1'='1" } });
      expect(hostile.rows).toEqual([]);
    });

    it('finds the database in agreement with the registry, and names what disagrees', async () => {
      const views = Object.values(CALCS).reduce((n, calc) => n + 1 + calc.versions.length, 0);
      expect(await checkCalcsDatabase(db)).toEqual({ status: 'valid', calcs: Object.keys(CALCS).length, views });

      // current moved to v2 in the registry without a migration re-creating the view.
      const moved = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...ROLLING, current: 'v2' } });
      expect(await checkCalcsDatabase(db, moved)).toEqual({
        status: 'invalid',
        problems: [
          {
            calc: 'symbol_rolling_6w',
            object: 'finra_otc_transparency_symbol_rolling_6w_latest',
            message: 'view finra_otc_transparency_symbol_rolling_6w_latest shows symbol_rolling_6w v1 rows but should show symbol_rolling_6w v2 (the current version); a migration must re-create it',
          },
        ],
      });
      // A version registered without its view.
      const v3 = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...ROLLING, versions: ['v1', 'v2', 'v3'] } });
      const missing = await checkCalcsDatabase(db, v3);
      expect(missing.status === 'invalid' && missing.problems.map((p) => p.object)).toEqual(['finra_otc_transparency_symbol_rolling_6w_v3_latest']);

      // Rows of a version the registry does not list (v2 removed from it).
      const withoutV2 = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...ROLLING, versions: ['v1'], version_notes: {} } });
      const stray = await checkCalcsDatabase(db, withoutV2);
      expect(stray.status === 'invalid' && stray.problems.map((p) => p.message)).toEqual([
        '8810 row(s) of symbol_rolling_6w "v2", a version the registry does not list (versions: v1)',
      ]);
      expect(await calcVersionCounts(db, 'symbol_rolling_6w', withoutV2)).toEqual([
        { version: 'v1', state: 'current', rows: 8810 },
        { version: 'v2', state: 'unregistered', rows: 8810 },
      ]);
    });
  });
}
