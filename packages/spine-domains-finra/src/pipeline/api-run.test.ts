import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWeeks, venueRanking } from '../read.js';
import { symbolTotalHistory } from '../read-symbol-totals.js';
import { SAMPLE_API_FILE } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { PIPELINE_TABLES, countOf, migratedDb, plantTrigger, tableCounts, tempDir } from '../test-support/finra-db.js';
import { ingestApiRecords } from './api-run.js';
import type { IngestApiResult } from './api-run.js';
import { runPipeline } from './run.js';

/*
 * Expected rolling figures were computed without this code, by a jq script over
 * samples/api/otc_aggregate_symbol.json: per symbol, records sorted by
 * weekStartDate; the window of a week is it and the five weeks before it (the
 * 248 weeks are contiguous); avg = sum / n rounded half up; trend =
 * (last − first) / first × 100:
 *
 *   [.[] | .text | fromjson | .[]] | group_by(.issueSymbolIdentifier)[] | sort_by(.weekStartDate) as $rows
 *   | range(0; $rows | length) as $i | [$rows[range([0, $i - 5] | max; $i + 1)]] as $w
 *   | [$rows[$i].issueSymbolIdentifier, $rows[$i].weekStartDate, $w[0].weekStartDate, ($w | length),
 *      (($w | map(.totalWeeklyShareQuantity) | add) / ($w | length) + 0.5 | floor),
 *      (($w | map(.totalWeeklyTradeCount) | add) / ($w | length) + 0.5 | floor),
 *      (($w[-1].totalWeeklyShareQuantity - $w[0].totalWeeklyShareQuantity) / $w[0].totalWeeklyShareQuantity * 100)]
 *
 * (trend percentages rounded to two decimals by hand; none is near a rounding
 * boundary). Sums and revisions per symbol are PROVENANCE.md §4's and jq's.
 */
const ROLLING_EXPECTED = [
  // symbol, week_ending, window_start, weeks, avg volume, avg trades, trend, pct
  ['AAPL', '2021-12-10', '2021-12-10', 1, 29179854, 229144, 'FLAT', '0.00'],
  ['AAPL', '2022-01-07', '2021-12-10', 5, 23831021, 203461, 'DOWN', '-21.35'],
  ['AAPL', '2022-01-14', '2021-12-10', 6, 23148954, 199129, 'DOWN', '-32.36'],
  ['AAPL', '2024-03-15', '2024-02-09', 6, 23757816, 262929, 'UP', '16.72'],
  ['AAPL', '2025-09-12', '2025-08-08', 6, 36005282, 471497, 'DOWN', '-25.44'],
  ['AAPL', '2026-09-04', '2026-07-31', 6, 36487857, 679296, 'DOWN', '-46.53'],
  ['BRK.B', '2022-01-07', '2021-12-10', 5, 2101114, 33413, 'DOWN', '-19.69'],
  ['BRK.B', '2022-01-14', '2021-12-10', 6, 2092450, 34078, 'DOWN', '-13.45'],
  ['BRK.B', '2024-03-15', '2024-02-09', 6, 1904962, 46971, 'FLAT', '1.89'],
  ['BRK.B', '2025-09-12', '2025-08-08', 6, 3717468, 116023, 'DOWN', '-40.84'],
  ['BRK.B', '2026-09-04', '2026-07-31', 6, 3601241, 114930, 'DOWN', '-19.61'],
] as const;

/** 100 real NMS Tier 1 venue rows (6-column form; samples/PROVENANCE.md), loaded as week 2024-03-15 so that both grains share a (week, tier). */
const VENUE_FIXTURE = fileURLToPath(new URL('../fixtures/week_2025-12-13.psv', import.meta.url));
/** The tables of the venue grain (the files' rows and what is computed from them). */
const VENUE_TABLES = PIPELINE_TABLES.filter((t) => t.startsWith('finra_') && !/_captures$|_rejects$|symbol_total/.test(t));

for (const dialect of testDialects()) {
  describe(`FINRA Query API symbol totals (real AAPL and BRK.B history) on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let result: IngestApiResult;
    let venueCountsBefore: Record<string, number>;

    beforeAll(async () => {
      db = await migratedDb(dialect);
      const venue = await runPipeline(db, [VENUE_FIXTURE], { weekEnding: '2024-03-15', tier: 'NMS_TIER_1' });
      expect(venue.status).toBe('ok');
      venueCountsBefore = Object.fromEntries(await Promise.all(VENUE_TABLES.map(async (t) => [t, await countOf(db, t)] as const)));
      result = await ingestApiRecords(db, SAMPLE_API_FILE);
    });
    afterAll(async () => db.close());

    it('loads every record: 496 accepted, none rejected, 248 weeks of two symbols, 14 revisions', () => {
      expect(result.status).toBe('loaded');
      expect(result.source).toMatchObject({
        format: 'finra_api_recorded_responses',
        records: 496,
        accepted: 496,
        rejected: 0,
        rejectReasons: {},
        incompleteResponses: 0,
        symbols: ['AAPL', 'BRK.B'],
        weeks: 248,
        firstWeekEnding: '2021-12-10',
        lastWeekEnding: '2026-09-04',
        revisions: 14,
      });
      expect(result.partitions).toHaveLength(248);
      expect(new Set(result.partitions.map((p) => `${p.status} ${p.stageReached} ${p.records} ${p.accepted} ${p.rejected}`))).toEqual(new Set(['complete ROLLING 2 2 0']));
      expect(result.partitions.reduce((n, p) => n + p.revisions, 0)).toBe(14);
      expect(result.partitions[0]?.partitionKey).toBe('2021-12-10|NMS_TIER_1|ATS_W_SMBL');
    });

    it('keeps the symbol totals exact: the sums of shares and trades per symbol', async () => {
      const sums = await sql<{ symbol: string; weeks: number; shares: number; trades: number; revisions: number }>`
        SELECT symbol, count(*) AS weeks, sum(total_volume) AS shares, sum(total_trades) AS trades,
               sum(CASE WHEN source_last_update_date > initial_published_date THEN 1 ELSE 0 END) AS revisions
        FROM finra_otc_transparency_weekly_symbol_total_latest GROUP BY symbol ORDER BY symbol`.execute(db.kysely);
      expect(sums.rows.map((r) => [r.symbol, Number(r.weeks), Number(r.shares), Number(r.trades), Number(r.revisions)])).toEqual([
        ['AAPL', 248, 6436090016, 78387271, 8],
        ['BRK.B', 248, 644243393, 16857228, 6],
      ]);
    });

    it('never turns symbol totals into venue rows: venue tables, venue shares and HHI are as the venue file left them', async () => {
      expect(VENUE_TABLES).toHaveLength(8);
      for (const table of VENUE_TABLES) expect(await countOf(db, table), table).toBe(venueCountsBefore[table]);
      const apiRows = await db.kysely
        .selectFrom('finra_otc_transparency_weekly_symbol_venue_volume')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('symbol', 'in', ['AAPL', 'BRK.B'])
        .executeTakeFirstOrThrow();
      expect(Number(apiRows.n)).toBe(0);
      // The week both grains share still shows the venue file's symbols and venues.
      const summary = await db.kysely.selectFrom('finra_otc_transparency_symbol_summary_latest').select('symbol').where('week_ending', '=', '2024-03-15').orderBy('symbol').execute();
      expect(summary.map((r) => r.symbol)).toEqual(['A', 'AA', 'AAAU', 'AAL']);
      expect((await venueRanking(db, '2024-03-15', 'NMS_TIER_1')).length).toBeGreaterThan(0);
      expect((await listWeeks(db)).map((w) => [w.weekEnding, w.tier, w.stage])).toEqual([['2024-03-15', 'NMS_TIER_1', 'SNAPSHOT']]);
    });

    it('records each capture with source_type api, the week from the record, and both source clocks', async () => {
      const captures = await db.kysely.selectFrom('finra_otc_transparency_captures').selectAll().where('source_type', '=', 'api').orderBy('week_ending').execute();
      expect(captures).toHaveLength(248);
      expect(new Set(captures.map((c) => `${c.week_ending_source} ${c.source_format} ${c.stage} ${c.lines_total}`))).toEqual(new Set(['file finra_api_recorded_responses ROLLING 2']));
      // Week 2024-03-11..15: first published 2024-04-01, revised 2024-05-13 (AAPL) and 2024-05-14 (BRK.B).
      expect(captures.find((c) => c.week_ending === '2024-03-15')).toMatchObject({ source_initial_published_date: '2024-04-01', source_last_update_date: '2024-05-14' });
      expect(captures.filter((c) => c.source_last_update_date !== c.source_initial_published_date).map((c) => c.week_ending)).toEqual([
        '2022-07-01',
        '2023-11-17',
        '2024-03-08',
        '2024-03-15',
        '2024-05-31',
        '2024-11-08',
        '2025-05-09',
        '2025-05-16',
        '2025-09-12',
      ]);
      const venueCapture = await db.kysely.selectFrom('finra_otc_transparency_captures').select(['source_type', 'source_initial_published_date']).where('source_type', '=', 'file').executeTakeFirstOrThrow();
      expect(venueCapture.source_initial_published_date).toBeNull();
    });

    it('computes the rolling 6-week averages and trends the independent jq script found', async () => {
      for (const [symbol, weekEnding, windowStart, weeks, avgVolume, avgTrades, trend, pct] of ROLLING_EXPECTED) {
        const row = await db.kysely
          .selectFrom('finra_otc_transparency_symbol_total_rolling_6w_latest')
          .selectAll()
          .where('symbol', '=', symbol)
          .where('week_ending', '=', weekEnding)
          .executeTakeFirstOrThrow();
        expect([row.window_start, row.weeks_in_window, row.avg_6w_volume, row.avg_6w_trades, row.trend_direction, row.trend_pct, row.is_complete_window], `${symbol} ${weekEnding}`).toEqual([
          windowStart,
          weeks,
          avgVolume,
          avgTrades,
          trend,
          pct,
          weeks === 6 ? 1 : 0,
        ]);
      }
      expect(await countOf(db, 'finra_otc_transparency_symbol_total_rolling_6w_latest')).toBe(496);
    });

    it('reads a symbol history with revisions and rolling metrics', async () => {
      const history = await symbolTotalHistory(db, 'AAPL');
      expect(history).toHaveLength(248);
      expect(history.filter((w) => w.isRevision).map((w) => w.weekStartDate)).toEqual(['2022-06-27', '2023-11-13', '2024-03-04', '2024-03-11', '2024-05-27', '2024-11-04', '2025-05-05', '2025-05-12']);
      expect(history.find((w) => w.weekEnding === '2026-07-24')).toMatchObject({
        weekStartDate: '2026-07-20',
        tier: 'NMS_TIER_1',
        totalVolume: 37839888,
        totalTrades: 676325,
        totalNotional: '12349750810.604021',
        initialPublishedDate: '2026-08-10',
        lastUpdateDate: '2026-08-10',
        isRevision: false,
      });
      expect(history.at(-1)).toMatchObject({ weekEnding: '2026-09-04', avg6wVolume: 36487857, trendDirection: 'DOWN', trendPct: '-46.53', weeksInWindow: 6 });
      expect(await symbolTotalHistory(db, "AAPL' OR '1'='1")).toEqual([]);
    });

    it('records the manifest under the symbol-total key and warns on the five incomplete windows', async () => {
      const manifest = await db.kysely.selectFrom('core_manifest').select(['partition_key', 'stage']).where('partition_key', 'like', '%|ATS_W_SMBL').execute();
      expect(manifest).toHaveLength(248 * 3);
      expect(new Set(manifest.map((m) => m.stage))).toEqual(new Set(['INGESTED', 'NORMALIZED', 'ROLLING']));
      expect(result.partitions.filter((p) => p.quality === 'WARN').map((p) => p.weekEnding)).toEqual(['2021-12-10', '2021-12-17', '2021-12-24', '2021-12-31', '2022-01-07']);
      expect(result.partitions.filter((p) => p.quality !== 'WARN').every((p) => p.quality === 'PASS')).toBe(true);
      const load = await db.kysely.selectFrom('core_load_records').selectAll().where('source_type', '=', 'api').executeTakeFirstOrThrow();
      expect(load).toMatchObject({ lines_total: 496, rows_accepted: 496, rows_rejected: 0, source_format: 'finra_api_recorded_responses' });
    });

    it('changes nothing when the same bytes are ingested again', async () => {
      const before = await tableCounts(db);
      const again = await ingestApiRecords(db, SAMPLE_API_FILE);
      expect(again.status).toBe('unchanged');
      expect(again.batchId).toBeNull();
      expect(new Set(again.partitions.map((p) => `${p.status} ${p.stageReached}`))).toEqual(new Set(['unchanged ROLLING']));
      expect(await tableCounts(db)).toEqual(before);
    });

    it('takes a later revision of one symbol-week as a new capture that supersedes that symbol only', async () => {
      // A revision FINRA might publish later: the real AAPL record of week 2024-03-11 with other shares and a later lastUpdateDate.
      const record = '{"totalWeeklyShareQuantity":2.5E7,"totalWeeklyTradeCount":276882,"issueSymbolIdentifier":"AAPL","issueName":"Apple Inc. Common Stock","lastUpdateDate":"2024-06-03","weekStartDate":"2024-03-11","lastReportedDate":"2024-06-03","tierDescription":"NMS Tier 1","initialPublishedDate":"2024-04-01","productTypeCode":"UTP","totalNotionalSum":4184958242}';
      const path = join(tempDir(), 'aapl-revision.json');
      writeFileSync(path, `[${record}]`.replace('"weekStartDate"', '"summaryTypeCode":"ATS_W_SMBL","weekStartDate"'));
      const revision = await ingestApiRecords(db, path);
      expect(revision.status).toBe('loaded');
      expect(revision.source).toMatchObject({ format: 'finra_api_records', records: 1, accepted: 1, revisions: 1 });
      const week = async (symbol: string) => (await symbolTotalHistory(db, symbol)).find((w) => w.weekEnding === '2024-03-15');
      expect(await week('AAPL')).toMatchObject({ totalVolume: 25000000, lastUpdateDate: '2024-06-03', isRevision: true, captureId: revision.partitions[0]?.captureId });
      // BRK.B of that week keeps its capture from the first file: the newest capture wins per symbol, not per week.
      expect(await week('BRK.B')).toMatchObject({ totalVolume: 1663790, lastUpdateDate: '2024-05-14', captureId: result.partitions.find((p) => p.weekEnding === '2024-03-15')?.captureId });
      // Rolling of the revised week, by hand from the jq figures: (142546895 − 24279368 + 25000000) / 6 and (25000000 − 20801557) / 20801557.
      expect(await week('AAPL')).toMatchObject({ avg6wVolume: 23877921, avg6wTrades: 262929, trendDirection: 'UP', trendPct: '20.18', weeksInWindow: 6 });
      expect(await countOf(db, 'finra_otc_transparency_weekly_symbol_total')).toBe(497);
      expect(await countOf(db, 'finra_otc_transparency_weekly_symbol_total_latest')).toBe(496);
    });

    it('reports a file that is not an API file, writing nothing', async () => {
      const before = await tableCounts(db);
      const failed = await ingestApiRecords(db, VENUE_FIXTURE);
      expect(failed).toMatchObject({ status: 'failed', batchId: null, source: null, error: { code: 'INPUT_UNKNOWN_FORMAT' } });
      expect(await ingestApiRecords(db, join(tempDir(), 'missing.json'))).toMatchObject({ status: 'failed', error: { code: 'INPUT_NOT_FOUND' } });
      expect(await tableCounts(db)).toEqual(before);
    });

    it('stores every rejected record with its reason and loses none', async () => {
      const path = join(tempDir(), 'rejects.json');
      const fractional = '{"summaryTypeCode":"ATS_W_SMBL","totalWeeklyShareQuantity":2.42793685E7,"totalWeeklyTradeCount":276882,"issueSymbolIdentifier":"AAPL","lastUpdateDate":"2024-05-13","weekStartDate":"2024-03-11","tierDescription":"NMS Tier 1","initialPublishedDate":"2024-04-01"}';
      writeFileSync(path, `[{"summaryTypeCode":"ATS_W_SMBL","weekStartDate":"2019-01-07"},${fractional}]`);
      const loaded = await ingestApiRecords(db, path);
      expect(loaded).toMatchObject({ status: 'loaded', partitions: [] });
      expect(loaded.source).toMatchObject({ records: 2, accepted: 0, rejected: 2, rejectReasons: { INVALID_TIER: 1, PARSE_ERROR: 1 } });
      const rejects = await db.kysely.selectFrom('finra_otc_transparency_rejects').selectAll().where('source_locator', '=', path).orderBy('line_number').execute();
      // No record of either week was accepted, so there is no capture to file them under; the week is kept where it is known.
      expect(rejects.map((r) => [r.line_number, r.stage, r.reason_code, r.week_ending, r.tier, r.capture_id])).toEqual([
        [1, 'INGEST', 'INVALID_TIER', '2019-01-11', null, null],
        [2, 'INGEST', 'PARSE_ERROR', '2024-03-15', 'NMS_TIER_1', null],
      ]);
      expect(rejects[1]?.raw_line).toBe(fractional);
      expect(rejects[1]?.reason_detail).toBe('totalWeeklyShareQuantity is not an integer: 2.42793685E7');
      expect((await ingestApiRecords(db, path)).status).toBe('unchanged');
    });
  });
}

/** The first `weeks` AAPL records of the real file, verbatim, as one recorded response (a smaller file for fault injection). */
function firstAaplWeeks(weeks: number): string {
  const [aapl] = JSON.parse(readFileSync(SAMPLE_API_FILE, 'utf8')) as { text: string; json: unknown; status: number; headers: unknown }[];
  const records = (aapl as { text: string }).text.slice(1, -1).split(/(?<=\}),(?=\{)/);
  const chosen = records.sort((a, b) => (/"weekStartDate":"([^"]+)"/.exec(a)?.[1] ?? '').localeCompare(/"weekStartDate":"([^"]+)"/.exec(b)?.[1] ?? '')).slice(0, weeks);
  const path = join(tempDir(), `aapl-${weeks}-weeks.json`);
  writeFileSync(path, JSON.stringify([{ ...aapl, headers: { 'record-total': String(weeks) }, text: `[${chosen.join(',')}]` }]));
  return path;
}

for (const dialect of testDialects()) {
  describe(`a failed rolling stage of an API capture, on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    beforeAll(async () => {
      db = await migratedDb(dialect);
    });
    afterAll(async () => db.close());

    it('is rolled back and reported, the other weeks complete, and the next call finishes it', async () => {
      const path = firstAaplWeeks(3);
      const drop = await plantTrigger(db, { name: 'fail_rolling', table: 'finra_otc_transparency_symbol_total_rolling_6w', timing: 'BEFORE', when: "new.week_ending = '2021-12-17'", action: { raise: 'injected fault' } });
      const failed = await ingestApiRecords(db, path);
      await drop();
      expect(failed.status).toBe('failed');
      expect(failed.partitions.map((p) => [p.weekEnding, p.status, p.stageReached])).toEqual([
        ['2021-12-10', 'complete', 'ROLLING'],
        ['2021-12-17', 'failed', 'NORMALIZED'],
        ['2021-12-24', 'complete', 'ROLLING'],
      ]);
      expect(failed.partitions[1]?.error?.message).toMatch(/^ROLLING of 2021-12-17\|NMS_TIER_1\|ATS_W_SMBL failed and was rolled back: .*injected fault/);
      // The week after still sees the failed week's totals (they were stored at ingest): three weeks in its window.
      expect((await symbolTotalHistory(db, 'AAPL')).map((w) => [w.weekEnding, w.weeksInWindow])).toEqual([
        ['2021-12-10', 1],
        ['2021-12-17', null],
        ['2021-12-24', 3],
      ]);

      const resumed = await ingestApiRecords(db, path);
      expect(resumed.status).toBe('loaded');
      expect(resumed.partitions.map((p) => [p.weekEnding, p.status, p.stageReached])).toEqual([
        ['2021-12-10', 'unchanged', 'ROLLING'],
        ['2021-12-17', 'complete', 'ROLLING'],
        ['2021-12-24', 'unchanged', 'ROLLING'],
      ]);
      expect((await symbolTotalHistory(db, 'AAPL')).map((w) => w.weeksInWindow)).toEqual([1, 2, 3]);
      expect((await ingestApiRecords(db, path)).status).toBe('unchanged');
    });
  });
}
