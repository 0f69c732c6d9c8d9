import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWeeks, symbolHistory, venueRanking } from '../read.js';
import { sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { countOf, migratedDb, plantTrigger, tableCounts, tempDir } from '../test-support/finra-db.js';
import { testDialects } from '@market-spine/core/testing';
import { runPipeline } from './run.js';
import type { RunReport } from './run.js';

/*
 * Expected figures were computed independently of this code, with a short
 * Python script over the sample files (split on '|', sum, square, divide):
 * symbols per week, tier volume, top venue share, AABB and AACAY totals and HHI,
 * and AABB's three-week average and trend.
 */
for (const dialect of testDialects()) {
  describe(`the FINRA pipeline on the three real OTC samples, on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let report: RunReport;

    beforeAll(async () => {
      db = await migratedDb(dialect);
      report = await runPipeline(db, sampleFiles());
    });
    afterAll(async () => db.close());

    it('takes every (week, tier) through every stage, weeks in order', () => {
      expect(report.status).toBe('ok');
      expect(report.files.map((f) => f.status)).toEqual(['loaded', 'loaded', 'loaded']);
      expect(report.partitions.map((p) => [p.weekEnding, p.tier, p.status, p.stageReached, p.lines, p.accepted, p.rejected])).toEqual([
        ['2025-11-14', 'OTC', 'complete', 'SNAPSHOT', 5328, 5328, 0],
        ['2025-11-21', 'OTC', 'complete', 'SNAPSHOT', 5192, 5192, 0],
        ['2025-11-28', 'OTC', 'complete', 'SNAPSHOT', 4655, 4654, 1],
      ]);
    });

    it('rejects the empty-symbol row of the 2025-12-29 file as INVALID_SYMBOL and loses no line', async () => {
      const rejects = await db.kysely.selectFrom('finra_otc_transparency_rejects').selectAll().execute();
      expect(rejects).toHaveLength(1);
      expect(rejects[0]).toMatchObject({
        week_ending: '2025-11-28',
        tier: 'OTC',
        line_number: 4656,
        raw_line: 'OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-29',
        stage: 'NORMALIZE',
        reason_code: 'INVALID_SYMBOL',
      });
      for (const load of await db.kysely.selectFrom('core_load_records').selectAll().execute()) {
        const capture = await db.kysely.selectFrom('finra_otc_transparency_captures').select(['capture_id']).where('load_id', '=', load.load_id).executeTakeFirstOrThrow();
        const accepted = await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_volume').select((eb) => eb.fn.countAll<number>().as('n')).where('capture_id', '=', capture.capture_id).executeTakeFirstOrThrow();
        const rejected = await db.kysely.selectFrom('finra_otc_transparency_rejects').select((eb) => eb.fn.countAll<number>().as('n')).where('load_id', '=', load.load_id).executeTakeFirstOrThrow();
        expect(Number(accepted.n) + Number(rejected.n)).toBe(load.lines_total);
      }
    });

    it('has one symbol_summary_latest row per symbol and week: 3111 + 2985 + 2714', async () => {
      expect(await countOf(db, 'finra_otc_transparency_symbol_summary_latest')).toBe(8810);
      const perWeek = await sql<{ week_ending: string; n: number; volume: number; trades: number }>`
        SELECT week_ending, count(*) AS n, sum(total_volume) AS volume, sum(total_trades) AS trades
        FROM finra_otc_transparency_symbol_summary_latest GROUP BY week_ending ORDER BY week_ending`.execute(db.kysely);
      expect(perWeek.rows).toEqual([
        { week_ending: '2025-11-14', n: 3111, volume: 1335995901, trades: 472776 },
        { week_ending: '2025-11-21', n: 2985, volume: 943802893, trades: 497191 },
        { week_ending: '2025-11-28', n: 2714, volume: 997402635, trades: 309888 },
      ]);
    });

    it('ranks the venues of the tier by market share', async () => {
      const venues = await venueRanking(db, '2025-11-14', 'OTC');
      expect(venues.map((v) => v.mpid).slice(0, 3)).toEqual(['OTCN', 'OTCX', 'ARCA']);
      expect(venues[0]).toMatchObject({ rank: 1, totalVolume: 1098033568, symbolCount: 2300 });
      expect(venues[0]?.marketShare).toBeCloseTo(1098033568 / 1335995901, 12);
      expect(venues[0]?.marketShare).toBeCloseTo(0.821884, 6);
      expect(venues.reduce((s, v) => s + v.marketShare, 0)).toBeCloseTo(1, 9);
      expect(venues).toHaveLength(9);
    });

    it("computes one symbol's totals, venue shares, HHI and rolling metrics", async () => {
      const aabb = await symbolHistory(db, 'AABB');
      expect(aabb.map((w) => [w.weekEnding, w.totalVolume, w.totalTrades, w.venueCount, w.topVenue])).toEqual([
        ['2025-11-14', 6794184, 174, 2, 'OTCN'],
        ['2025-11-21', 1833194, 70, 2, 'OTCN'],
        ['2025-11-28', 2985941, 161, 2, 'OTCN'],
      ]);
      expect(aabb[0]?.hhi).toBeCloseTo(0.9882034974208129, 12);
      expect(aabb[2]?.hhi).toBeCloseTo(0.9081655979222274, 12);
      expect(aabb[0]?.topVenueShare).toBeCloseTo(6753871 / 6794184, 12);
      // Week 3 window = the three loaded weeks: (6794184 + 1833194 + 2985941) / 3 = 3871106.33; trend (2985941 − 6794184) / 6794184 = −56.05 %.
      expect(aabb[2]).toMatchObject({ avg6wVolume: 3871106, trendDirection: 'DOWN', trendPct: '-56.05', weeksInWindow: 3 });
      const rolling = await db.kysely.selectFrom('finra_otc_transparency_symbol_rolling_6w_latest').selectAll().where('symbol', '=', 'AABB').where('week_ending', '=', '2025-11-28').executeTakeFirstOrThrow();
      expect(rolling).toMatchObject({ avg_6w_trades: 135, is_complete_window: 0, window_start: '2025-11-14' });

      const aacay = await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest').selectAll().where('symbol', '=', 'AACAY').where('week_ending', '=', '2025-11-14').executeTakeFirstOrThrow();
      expect(aacay).toMatchObject({ venue_count: 3, total_volume: 25955, calc_name: 'venue_concentration_hhi', calc_version: 'v1' });
      expect(aacay.hhi).toBeCloseTo(0.41718070867954893, 12);

      const snapshot = await db.kysely.selectFrom('finra_otc_transparency_research_snapshot_latest').selectAll().where('symbol', '=', 'AACAY').where('week_ending', '=', '2025-11-14').executeTakeFirstOrThrow();
      // ARCA has 12746 of 25955 shares = 49.1081 %; 25955 / 138 trades = 188.08 shares per trade.
      expect(snapshot).toMatchObject({ top_venue_mpid: 'ARCA', top_venue_share_pct: '49.1081', avg_trade_size: '188.08', has_rolling_data: 1, rolling_weeks_available: 1, quality_status: 'WARN' });
    });

    it('records every stage in the manifest with counts, source hash and lineage', async () => {
      const manifest = await db.kysely.selectFrom('core_manifest').selectAll().orderBy('partition_key').orderBy('updated_at').execute();
      expect(manifest).toHaveLength(15);
      const week3 = manifest.filter((m) => m.partition_key === '2025-11-28|OTC');
      expect(week3.map((m) => [m.stage, m.row_count_in, m.row_count_out, m.row_count_rejected])).toEqual([
        ['INGESTED', 4655, 4655, 0],
        ['NORMALIZED', 4655, 4654, 1],
        ['AGGREGATED', 4654, 2714, 0],
        ['ROLLING', 2714, 2714, 0],
        ['SNAPSHOT', 2714, 2714, 0],
      ]);
      expect(week3[0]).toMatchObject({ source_sha256: '377c13ada92e518cc09ad35aaa22d22dfb9bb69402086d900e063418787806c4', source_bytes: 486407 });
      const executions = await db.kysely.selectFrom('core_executions').selectAll().execute();
      expect(new Set(executions.map((e) => e.batch_id))).toEqual(new Set([report.batchId]));
      expect(executions.every((e) => e.status === 'COMPLETED')).toBe(true);
      const ids = new Set(executions.map((e) => e.execution_id));
      expect(manifest.every((m) => ids.has(m.execution_id))).toBe(true);
    });

    it('stores every quality result: all PASS but the incomplete rolling window, which warns', async () => {
      const results = await db.kysely.selectFrom('core_quality_checks').selectAll().execute();
      expect(results).toHaveLength(3 * 8);
      const notPass = results.filter((r) => r.status !== 'PASS');
      expect(notPass.map((r) => [r.partition_key, r.check_name, r.status, r.category])).toEqual([
        ['2025-11-14|OTC', 'rolling_window_complete', 'WARN', 'COMPLETENESS'],
        ['2025-11-21|OTC', 'rolling_window_complete', 'WARN', 'COMPLETENESS'],
        ['2025-11-28|OTC', 'rolling_window_complete', 'WARN', 'COMPLETENESS'],
      ]);
      expect(new Set(results.map((r) => r.check_name))).toEqual(
        new Set(['no_negative_volumes', 'no_negative_trades', 'no_duplicate_natural_keys', 'symbol_count_positive', 'venue_count_positive', 'market_share_sum_100', 'symbol_venue_share_sum_100', 'rolling_window_complete']),
      );
    });

    it('changes nothing when the same bytes are run again', async () => {
      const before = await tableCounts(db);
      const again = await runPipeline(db, sampleFiles());
      expect(again.status).toBe('unchanged');
      expect(again.batchId).toBeNull();
      expect(again.partitions.map((p) => p.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(await tableCounts(db)).toEqual(before);
    });

    it('lists the weeks from the manifest', async () => {
      const weeks = await listWeeks(db);
      expect(weeks.map((w) => [w.weekEnding, w.tier, w.stage, w.captures, w.symbols, w.rejected, w.quality])).toEqual([
        ['2025-11-28', 'OTC', 'SNAPSHOT', 1, 2714, 1, 'WARN'],
        ['2025-11-21', 'OTC', 'SNAPSHOT', 1, 2985, 0, 'WARN'],
        ['2025-11-14', 'OTC', 'SNAPSHOT', 1, 3111, 0, 'WARN'],
      ]);
    });
  });

  describe(`captures on ${dialect.name}`, () => {
    it('keeps a revised file for a loaded week as a new capture that *_latest shows', async () => {
      const db = await migratedDb(dialect);
      const [first] = sampleFiles();
      await runPipeline(db, [first as string]);
      // A revision derived from the real file: AABB on OTCN re-reported with more shares, updated 2026-01-05.
      const revised = readFileSync(first as string, 'utf8').replace('OTC|AABB|Asia Broadband Inc Common Stock|OTCN OTC LINK NQB IDQS|OTCN|6753871|171|2025-12-15', 'OTC|AABB|Asia Broadband Inc Common Stock|OTCN OTC LINK NQB IDQS|OTCN|6853871|172|2026-01-05');
      const path = join(tempDir(), 'finra_otc_weekly_otc_20251215_revised.csv');
      writeFileSync(path, revised);
      const report = await runPipeline(db, [path]);
      expect(report.partitions).toMatchObject([{ weekEnding: '2025-11-14', tier: 'OTC', status: 'complete' }]);
      const captures = await db.kysely.selectFrom('finra_otc_transparency_captures').selectAll().orderBy('captured_at').execute();
      expect(captures.map((c) => [c.week_ending, c.source_last_update_date])).toEqual([
        ['2025-11-14', '2025-12-15'],
        ['2025-11-14', '2026-01-05'],
      ]);
      const latest = await db.kysely.selectFrom('finra_otc_transparency_symbol_summary_latest').selectAll().where('symbol', '=', 'AABB').execute();
      expect(latest.map((r) => [r.total_volume, r.total_trades, r.capture_id])).toEqual([[6894184, 175, captures[1]?.capture_id]]);
      const all = await db.kysely.selectFrom('finra_otc_transparency_symbol_summary').select('total_volume').where('symbol', '=', 'AABB').orderBy('captured_at').execute();
      expect(all.map((r) => r.total_volume)).toEqual([6794184, 6894184]);
      expect(await countOf(db, 'finra_otc_transparency_symbol_summary_latest')).toBe(3111);
      await db.close();
    });
  });

  describe(`failures on ${dialect.name}`, () => {
    it('writes nothing of a file whose ingest fails, and still loads the others', async () => {
      const db = await migratedDb(dialect);
      // Simulate a database failure in the middle of the second file's raw rows.
      const dropTrigger = await plantTrigger(db, {
        name: 'fail_midway',
        table: 'finra_otc_transparency_raw',
        timing: 'BEFORE',
        when: "new.symbol = 'AABB' AND new.week_ending = '2025-11-21'",
        action: { raise: 'simulated disk failure' },
      });
      const files = sampleFiles();
      const report = await runPipeline(db, files);
      expect(report.status).toBe('failed');
      expect(report.files.map((f) => f.status)).toEqual(['loaded', 'error', 'loaded']);
      expect(report.files[1]?.error?.message).toContain('simulated disk failure');
      const weeks = await db.kysely.selectFrom('finra_otc_transparency_captures').select('week_ending').orderBy('week_ending').execute();
      expect(weeks.map((w) => w.week_ending)).toEqual(['2025-11-14', '2025-11-28']);
      for (const table of ['finra_otc_transparency_raw', 'finra_otc_transparency_rejects', 'core_manifest']) {
        const inWeek = table === 'core_manifest' ? sql`partition_key LIKE '2025-11-21%'` : sql`week_ending = '2025-11-21'`;
        const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${inWeek}`.execute(db.kysely);
        expect(rows.rows[0]?.n).toBe(0);
      }
      const load = await db.kysely.selectFrom('core_load_records').select('source_locator').execute();
      expect(load.map((l) => l.source_locator)).toEqual([files[0], files[2]]);
      const failed = await db.kysely.selectFrom('core_executions').selectAll().where('status', '=', 'FAILED').execute();
      expect(failed.map((e) => e.pipeline).sort()).toEqual(['finra.otc_transparency.ingest', 'finra.otc_transparency.run']);

      // Once the cause is gone, running again loads the missing week and touches nothing else.
      await dropTrigger();
      const retry = await runPipeline(db, files);
      expect(retry.files.map((f) => f.status)).toEqual(['unchanged', 'loaded', 'unchanged']);
      expect(retry.status).toBe('ok');
      await db.close();
    });

    it('stops a (week, tier) at the stage whose quality check fails, and does not retry the same bytes', async () => {
      const db = await migratedDb(dialect);
      // Plant a phantom venue with OTCN's market share in the same capture and calc version, so that the
      // tier's shares sum to about 182 % and market_share_sum_100 FAILs. (Checks look at the current
      // version's rows only: rows of another version are not duplicates, versions coexist by design.)
      const dropTrigger = await plantTrigger(db, {
        name: 'plant_phantom_venue',
        table: 'finra_otc_transparency_venue_share',
        timing: 'AFTER',
        when: "new.mpid = 'OTCN' AND new.calc_version = 'v1'",
        action: {
          run: `INSERT INTO finra_otc_transparency_venue_share (week_ending, tier, mpid, market_participant_name, total_volume, total_trades,
            symbol_count, market_share, rank, calc_name, calc_version, capture_id, captured_at, execution_id, batch_id, calculated_at)
          VALUES (new.week_ending, new.tier, 'ZZZZ', NULL, new.total_volume, new.total_trades, new.symbol_count, new.market_share, new.rank,
            new.calc_name, new.calc_version, new.capture_id, new.captured_at, new.execution_id, new.batch_id, new.calculated_at)`,
        },
      });
      const [first] = sampleFiles();
      const report = await runPipeline(db, [first as string]);
      expect(report.status).toBe('failed');
      expect(report.partitions[0]).toMatchObject({ status: 'stopped', stageReached: 'AGGREGATED', quality: 'FAIL', error: { code: 'QUALITY_FAILED' } });
      expect(report.partitions[0]?.qualityIssues.map((i) => [i.checkName, i.status])).toEqual([['market_share_sum_100', 'FAIL']]);
      expect(await countOf(db, 'finra_otc_transparency_symbol_rolling_6w')).toBe(0);
      const stored = await db.kysely.selectFrom('core_quality_checks').selectAll().where('check_name', '=', 'market_share_sum_100').executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ status: 'FAIL', failed_row_count: 1, stage: 'AGGREGATED' });
      // OTCN has 1,098,033,568 of the tier's 1,335,995,901 shares: 1 + 0.8219 counted twice.
      expect(Number(stored.check_value)).toBeCloseTo(1 + 1098033568 / 1335995901, 9);

      // The same bytes again: still stopped, nothing written, and the reason is reported.
      await dropTrigger();
      const before = await tableCounts(db);
      const again = await runPipeline(db, [first as string]);
      expect(again).toMatchObject({ status: 'failed', batchId: null, files: [{ status: 'unchanged' }] });
      expect(again.partitions[0]).toMatchObject({ status: 'unchanged', stageReached: 'AGGREGATED', captureId: report.partitions[0]?.captureId, error: { code: 'QUALITY_FAILED' } });
      expect(again.partitions[0]?.error?.message).toContain('Load a corrected file');
      expect(await tableCounts(db)).toEqual(before);

      // A corrected file is a new capture, and *_latest follows it.
      const corrected = join(tempDir(), 'corrected.csv');
      writeFileSync(corrected, `${readFileSync(first as string, 'utf8')}\n`);
      const fixed = await runPipeline(db, [corrected]);
      expect(fixed.partitions[0]).toMatchObject({ status: 'complete', stageReached: 'SNAPSHOT' });
      expect(fixed.partitions[0]?.captureId).not.toBe(report.partitions[0]?.captureId);
      expect(await countOf(db, 'finra_otc_transparency_symbol_summary_latest')).toBe(3111);
      await db.close();
    });

    it('rolls back a stage that raises an error, and resumes the capture from there on the next run', async () => {
      const db = await migratedDb(dialect);
      const dropTrigger = await plantTrigger(db, {
        name: 'crash_aggregate',
        table: 'finra_otc_transparency_symbol_summary',
        timing: 'BEFORE',
        when: "new.symbol = 'ZZZZ' OR new.symbol = 'AABB'",
        action: { raise: 'simulated crash' },
      });
      const [first] = sampleFiles();
      const report = await runPipeline(db, [first as string]);
      expect(report.partitions[0]).toMatchObject({ status: 'failed', stageReached: 'NORMALIZED', error: { message: expect.stringContaining('simulated crash') } });
      for (const table of ['finra_otc_transparency_symbol_summary', 'finra_otc_transparency_weekly_symbol_venue_share', 'finra_otc_transparency_venue_share']) {
        expect(await countOf(db, table)).toBe(0);
      }
      await dropTrigger();
      const resumed = await runPipeline(db, [first as string]);
      expect(resumed.files[0]?.status).toBe('unchanged');
      expect(resumed.partitions[0]).toMatchObject({ status: 'complete', stageReached: 'SNAPSHOT', captureId: report.partitions[0]?.captureId });
      expect(await countOf(db, 'finra_otc_transparency_weekly_symbol_venue_volume')).toBe(5328);
      expect(await countOf(db, 'finra_otc_transparency_symbol_summary_latest')).toBe(3111);
      await db.close();
    });
  });
}
