import { isSpineError } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcRowsAsOf, parseAsOf, symbolHistoryAsOf } from './as-of.js';
import { CALCS, latestView } from './calcs.js';
import { listCaptures } from './capture-diff.js';
import type { CaptureInfo } from './capture-diff.js';
import { runPipeline } from './pipeline/run.js';
import { symbolHistory } from './read.js';
import type { FinraTables, WeeklySymbolVenueVolumeTable } from './tables.js';
import { explainLines } from './test-support/explain.js';
import { migratedDb, tempDir } from './test-support/finra-db.js';
import { REVISION, writeRevisionFiles } from './test-support/revision-fixture.js';

/** `ms` milliseconds after an ISO instant, as ISO. */
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('parseAsOf', () => {
  it('takes instants with Z or an offset, as UTC with milliseconds', () => {
    expect(parseAsOf('2025-12-20T10:00:00Z')).toBe('2025-12-20T10:00:00.000Z');
    expect(parseAsOf('2025-12-20T10:00:00+01:00')).toBe('2025-12-20T09:00:00.000Z');
    expect(parseAsOf(' 2025-12-20T10:00Z ')).toBe('2025-12-20T10:00:00.000Z');
    expect(parseAsOf(new Date(Date.UTC(2025, 11, 20, 10)))).toBe('2025-12-20T10:00:00.000Z');
  });

  it('cuts finer fractions to the millisecond, keeping a capture of that millisecond', () => {
    expect(parseAsOf('2025-12-20T10:00:00.123999Z')).toBe('2025-12-20T10:00:00.123Z');
  });

  it.each(['2025-12-20', '2025-12-20T10:00:00', 'yesterday', ''])('refuses %j (no time zone, or not an instant) as INVALID_ARGUMENT', (text) => {
    expect(() => parseAsOf(text)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses an invalid Date', () => {
    let error: unknown;
    try {
      parseAsOf(new Date(Number.NaN));
    } catch (e) {
      error = e;
    }
    expect(isSpineError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});

for (const dialect of testDialects()) {
  describe(`as-of reads over a real-sample revision, on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let original: CaptureInfo;
    let revision: CaptureInfo;
    let captures: CaptureInfo[];

    const venueRowsOf = async (asOf: string, symbol: string) =>
      (await calcRowsAsOf(db, 'weekly_symbol_venue_volume', asOf).where('t.symbol', '=', symbol).select(['t.mpid', 't.total_volume', 't.trade_count', 't.capture_id']).orderBy('t.mpid').execute()).map(
        (r) => [r.mpid, Number(r.total_volume), Number(r.trade_count), r.capture_id],
      );

    beforeAll(async () => {
      db = await migratedDb(dialect);
      const files = writeRevisionFiles(tempDir());
      expect((await runPipeline(db, [files.original])).status).toBe('ok');
      expect((await runPipeline(db, [files.revision])).status).toBe('ok');
      // A third file that stops at INGESTED: a capture without calc rows, which no read shows.
      expect((await runPipeline(db, [files.secondRevision], { through: 'INGESTED' })).status).toBe('ok');
      captures = await listCaptures(db, REVISION.weekEnding, REVISION.tier);
      [, revision, original] = captures as [CaptureInfo, CaptureInfo, CaptureInfo];
    });
    afterAll(async () => db.close());

    it('keeps the revised file as a new capture beside the original, with its later lastUpdateDate', () => {
      expect(captures.map((c) => [c.stage, c.sourceLastUpdateDate, c.venueRows])).toEqual([
        ['INGESTED', '2025-12-29', 0],
        ['SNAPSHOT', REVISION.revisedOn, REVISION.rows],
        ['SNAPSHOT', REVISION.publishedOn, REVISION.rows],
      ]);
      expect(revision.capturedAt > original.capturedAt).toBe(true);
    });

    it('shows the revision in latest, and the original as of the original capture', async () => {
      const latest = await symbolHistory(db, 'AABB');
      expect(latest.map((w) => [w.weekEnding, w.totalVolume, w.totalTrades, w.venueCount])).toEqual([[REVISION.weekEnding, 6845313, 181, 3]]);
      const then = await symbolHistoryAsOf(db, 'AABB', { asOf: original.capturedAt });
      expect(then.map((w) => [w.weekEnding, w.totalVolume, w.totalTrades, w.venueCount, w.captureId])).toEqual([[REVISION.weekEnding, 6794184, 174, 2, original.captureId]]);
      const now = await symbolHistoryAsOf(db, 'AABB', { asOf: revision.capturedAt, tier: 'OTC' });
      expect(now.map((w) => [w.totalVolume, w.totalTrades, w.venueCount, w.captureId, w.capturedAt])).toEqual([[6845313, 181, 3, revision.captureId, revision.capturedAt]]);
      // The same figures as latest, HHI, rolling and top venue included.
      expect(now.map(({ captureId, capturedAt, ...week }) => week)).toEqual(latest);
    });

    it('knows nothing before the first capture, and keeps a row the revision removed until the revision', async () => {
      expect(await symbolHistoryAsOf(db, 'AABB', { asOf: shift(original.capturedAt, -1) })).toEqual([]);
      expect((await symbolHistoryAsOf(db, 'AAGC', { asOf: shift(revision.capturedAt, -1) })).map((w) => w.totalVolume)).toEqual([1055000]);
      expect(await symbolHistoryAsOf(db, 'AAGC', { asOf: revision.capturedAt })).toEqual([]);
      expect(await symbolHistory(db, 'AAGC')).toEqual([]);
    });

    it('reads venue rows as of an instant; after the last capture they are the *_latest view', async () => {
      expect(await venueRowsOf(original.capturedAt, 'AABB')).toEqual([
        ['OTCN', 6753871, 171, original.captureId],
        ['OTCX', 40313, 3, original.captureId],
      ]);
      expect(await venueRowsOf(shift(revision.capturedAt, 60_000), 'AABB')).toEqual([
        ['ARCA', 5000, 3, revision.captureId],
        ['OTCN', 6800000, 175, revision.captureId],
        ['OTCX', 40313, 3, revision.captureId],
      ]);
      const all = await calcRowsAsOf(db, 'weekly_symbol_venue_volume', '9999-12-31T23:59:59.999Z').selectAll('t').orderBy('t.symbol').orderBy('t.mpid').execute();
      const view = await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_volume_latest').selectAll().orderBy('symbol').orderBy('mpid').execute();
      expect(all).toEqual(view);
      expect(all).toHaveLength(REVISION.rows);
    });

    it('reads any registered version; after the last capture each equals its <table>_<version>_latest view', async () => {
      const calc = CALCS.symbol_rolling_6w;
      for (const version of calc.versions) {
        const asOf = await calcRowsAsOf(db, 'symbol_rolling_6w', '9999-12-31T23:59:59.999Z', { version }).selectAll('t').orderBy('t.symbol').execute();
        const view = await db.kysely.selectFrom(latestView(calc, version) as 'finra_otc_transparency_symbol_rolling_6w_latest').selectAll().orderBy('symbol').execute();
        expect(asOf).toEqual(view);
        expect(new Set(asOf.map((r) => [r.calc_version, r.capture_id].join(' ')))).toEqual(new Set([`${version} ${revision.captureId}`]));
      }
      expect(() => calcRowsAsOf(db, 'symbol_rolling_6w', revision.capturedAt, { version: 'v99' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });

    it('breaks a tie on captured_at by the higher capture_id, whatever the insertion order', async () => {
      const tieAt = shift(revision.capturedAt, 3_600_000);
      const rows = await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_volume').selectAll().where('capture_id', '=', revision.captureId).execute();
      const captureRow = await db.kysely.selectFrom('finra_otc_transparency_captures').selectAll().where('capture_id', '=', revision.captureId).executeTakeFirstOrThrow();
      // Higher first, then lower: ULIDs never sort below '0…' or above '7Z…'.
      const copies = [
        { id: 'cap_7ZZZZZZZZZZZZZZZZZZZZZZZZZ', extra: 2 },
        { id: 'cap_00000000000000000000000000', extra: 1 },
      ];
      for (const copy of copies) {
        await db.kysely
          .insertInto('finra_otc_transparency_captures')
          .values({ ...captureRow, capture_id: copy.id, captured_at: tieAt, source_sha256: `tie-${copy.extra}` })
          .execute();
        await db.kysely
          .insertInto('finra_otc_transparency_weekly_symbol_venue_volume')
          .values(rows.map((r): WeeklySymbolVenueVolumeTable => ({ ...r, capture_id: copy.id, captured_at: tieAt, total_volume: Number(r.total_volume) + copy.extra })))
          .execute();
      }
      const high = copies[0]?.id;
      expect(await venueRowsOf(tieAt, 'AABB')).toEqual([
        ['ARCA', 5002, 3, high],
        ['OTCN', 6800002, 175, high],
        ['OTCX', 40315, 3, high],
      ]);
      const view = await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_volume_latest').select(['capture_id']).distinct().execute();
      expect(view).toEqual([{ capture_id: high }]);
      // A millisecond earlier, neither copy is known yet.
      expect((await venueRowsOf(shift(tieAt, -1), 'AABB')).map((r) => r[3])).toEqual([revision.captureId, revision.captureId, revision.captureId]);
    });

    it('is served by indexes: the symbol index finds the rows, idx_*_latest picks each week\'s capture (EXPLAIN)', async () => {
      const query = calcRowsAsOf(db, 'weekly_symbol_venue_volume', revision.capturedAt).where('t.symbol', '=', 'AABB').selectAll('t').compile();
      const plan = await explainLines(db, query);
      console.log(`${dialect.name} plan of the as-of read of one symbol:\n  ${plan.join('\n  ')}`);
      if (db.dialectName === 'sqlite') {
        expect(plan).toEqual([
          'SEARCH t USING INDEX idx_fotc_venue_vol_symbol (symbol=?)',
          'CORRELATED SCALAR SUBQUERY 1',
          'SEARCH c USING COVERING INDEX idx_fotc_venue_vol_latest (week_ending=? AND tier=? AND calc_name=? AND calc_version=? AND captured_at<?)',
        ]);
      } else {
        expect(plan.some((line) => /Index Scan using idx_fotc_venue_vol_symbol on finra_otc_transparency_weekly_symbol_venue_volume t\b/.test(line))).toBe(true);
        expect(plan.some((line) => /Index Only Scan using idx_fotc_venue_vol_latest on finra_otc_transparency_weekly_symbol_venue_volume c\b/.test(line))).toBe(true);
        expect(plan.some((line) => /Seq Scan/.test(line))).toBe(false);
      }
    });
  });
}
