import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpineError, startExecution } from '@market-spine/core';
import type { SpineDb, SqlValue } from '@market-spine/core';
import { testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALCS } from '../calcs.js';
import { listCaptures } from '../capture-diff.js';
import type { FinraTables } from '../tables.js';
import { migratedDb, tableCounts, tempDir } from '../test-support/finra-db.js';
import { REVISION, writeRevisionFiles } from '../test-support/revision-fixture.js';
import { aggregateCapture } from './aggregate.js';
import { insertCalcRows } from './calc-rows.js';
import { normalizeCapture } from './normalize.js';
import { rollCapture } from './rolling.js';
import { runPipeline } from './run.js';
import { snapshotCapture } from './snapshot.js';
import type { CaptureRef } from './stages.js';

/** The empty-symbol line of the bundled 2025-12-29 sample (an INVALID_SYMBOL reject at NORMALIZE), dated like the file it joins. */
const REJECTED_LINE = 'OTC|||PPEX NORTH CAPITAL PRIVATE SECURITIES CORPORATION|PPEX|1|1|2025-12-15';
/** The line of that reject: after the header and the 40 rows. */
const REJECT_LINE_NUMBER = REVISION.rows + 2;
/** Lineage a run sets anew; everything else must come out the same. */
const RUN_COLUMNS = new Set(['execution_id', 'batch_id', 'calculated_at']);
const HHI_COLUMNS = ['symbol', 'venue_count', 'total_volume', 'hhi'];

/** Every calc table's rows of the capture, without the run's lineage, in a stable order. */
async function calcContents(db: SpineDb<FinraTables>, captureId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const calc of new Set(Object.values(CALCS).map((c) => c.table))) {
    const rows = await db.kysely.selectFrom(calc as 'finra_otc_transparency_raw').selectAll().where('capture_id', '=', captureId).execute();
    out[calc] = rows
      .map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([column]) => !RUN_COLUMNS.has(column)))))
      .sort();
  }
  return out;
}

for (const dialect of testDialects()) {
  describe(`writing calculation rows (UPSERT, constraint errors), on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let capture: CaptureRef;
    let ingestedOnly: CaptureRef;

    const newExecution = () => startExecution(db.executor(), { pipeline: 'test.calc_write' });
    const rejectsOf = async (captureId: string) =>
      (await db.kysely.selectFrom('finra_otc_transparency_rejects').select(['line_number', 'stage', 'reason_code']).where('capture_id', '=', captureId).orderBy('line_number').execute()).map((r) => [
        r.line_number,
        r.stage,
        r.reason_code,
      ]);
    const hhiOf = async (captureId: string) =>
      (await db.kysely.selectFrom('finra_otc_transparency_weekly_symbol_venue_concentration_hhi').select(['symbol', 'hhi', 'execution_id']).where('capture_id', '=', captureId).orderBy('symbol').execute());

    beforeAll(async () => {
      db = await migratedDb(dialect);
      const dir = tempDir();
      const files = writeRevisionFiles(dir);
      const withReject = join(dir, 'first40_and_a_reject.csv');
      writeFileSync(withReject, `${readFileSync(files.original, 'utf8')}${REJECTED_LINE}\n`);
      expect((await runPipeline(db, [withReject])).status).toBe('ok');
      expect((await runPipeline(db, [files.revision], { through: 'INGESTED' })).status).toBe('ok');
      const [ingested, loaded] = (await listCaptures(db, REVISION.weekEnding, REVISION.tier)).map((c) => ({
        captureId: c.captureId,
        weekEnding: REVISION.weekEnding,
        tier: REVISION.tier,
        capturedAt: c.capturedAt,
      })) as [CaptureRef, CaptureRef];
      capture = loaded;
      ingestedOnly = ingested;
    });
    afterAll(async () => db.close());

    it('runs every stage of a capture again without a duplicate-key error and without changing its rows (UPSERT on the natural key)', async () => {
      const before = await calcContents(db, capture.captureId);
      const counts = await tableCounts(db);
      expect(await rejectsOf(capture.captureId)).toEqual([[REJECT_LINE_NUMBER, 'NORMALIZE', 'INVALID_SYMBOL']]);
      const execution = await newExecution();
      for (const stage of [normalizeCapture, aggregateCapture, rollCapture, snapshotCapture]) await stage(db, capture, execution);
      expect(await calcContents(db, capture.captureId)).toEqual(before);
      expect(await rejectsOf(capture.captureId)).toEqual([[REJECT_LINE_NUMBER, 'NORMALIZE', 'INVALID_SYMBOL']]);
      // Same rows everywhere; only the execution log grew by the test's execution.
      expect(await tableCounts(db)).toEqual({ ...counts, core_executions: (counts.core_executions ?? 0) + 1 });
      // The rows were updated, not skipped: they carry the new execution.
      expect(new Set((await hhiOf(capture.captureId)).map((r) => r.execution_id))).toEqual(new Set([execution.executionId]));
      const stage = await db.kysely.selectFrom('finra_otc_transparency_captures').select('stage').where('capture_id', '=', capture.captureId).executeTakeFirstOrThrow();
      expect(stage.stage).toBe('SNAPSHOT');
    });

    it('puts back a value changed behind its back when the stage runs again', async () => {
      const computed = await hhiOf(capture.captureId);
      await db.kysely.updateTable('finra_otc_transparency_weekly_symbol_venue_concentration_hhi').set({ hhi: 0.5 }).where('capture_id', '=', capture.captureId).where('symbol', '=', 'AABB').execute();
      await aggregateCapture(db, capture, await newExecution());
      expect((await hhiOf(capture.captureId)).map((r) => [r.symbol, r.hhi])).toEqual(computed.map((r) => [r.symbol, r.hhi]));
    });

    /** Writes HHI rows for `target` in a transaction and returns the error, checking that nothing changed. */
    async function refusedWrite(target: CaptureRef, rows: SqlValue[][]): Promise<SpineError> {
      const counts = await tableCounts(db);
      const hhi = await hhiOf(capture.captureId);
      const execution = await newExecution();
      let error: unknown;
      try {
        await db.transaction((tx) => insertCalcRows(tx, 'venue_concentration_hhi', target, execution, HHI_COLUMNS, rows));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SpineError);
      expect(await tableCounts(db)).toEqual({ ...counts, core_executions: (counts.core_executions ?? 0) + 1 });
      expect(await hhiOf(capture.captureId)).toEqual(hhi);
      return error as SpineError;
    }

    it('names the calc and the business key of a row a CHECK refuses, and writes nothing (first write of a capture)', async () => {
      const error = await refusedWrite(ingestedOnly, [
        ['AABB', 2, 6794184, 0.98],
        ['AACAY', 3, 25955, 0.4],
        ['AAGAF', 2, 136674, 1.5],
        ['AAGC', 1, 1055000, 1],
      ]);
      expect(error.code).toBe('CALC_CONSTRAINT_VIOLATION');
      expect(error.details).toMatchObject({
        calc: 'venue_concentration_hhi',
        version: 'v1',
        table: 'finra_otc_transparency_weekly_symbol_venue_concentration_hhi',
        captureId: ingestedOnly.captureId,
        key: { week_ending: REVISION.weekEnding, tier: 'OTC', symbol: 'AAGAF' },
      });
      expect(error.message).toMatch(/^venue_concentration_hhi v1 computed a row that finra_otc_transparency_weekly_symbol_venue_concentration_hhi refuses: \(week_ending=2025-11-14, tier=OTC, symbol=AAGAF\)/);
      expect(error.message).toMatch(/CHECK constraint failed: hhi BETWEEN 0 AND 1|violates check constraint/);
    });

    it('names the second of two rows with the same key', async () => {
      const error = await refusedWrite(ingestedOnly, [
        ['AABB', 2, 6794184, 0.98],
        ['AACAY', 3, 25955, 0.4],
        ['AABB', 2, 6794184, 0.97],
      ]);
      expect(error.details).toMatchObject({ key: { symbol: 'AABB' } });
      expect(error.message).toMatch(/UNIQUE constraint failed|duplicate key value/);
    });

    it('names the refused row when a capture that has rows is written again, and keeps its rows', async () => {
      const rows = (await hhiOf(capture.captureId)).map((r): SqlValue[] => [r.symbol, 1, 1, r.symbol === 'ABCP' ? -0.1 : 0.5]);
      const error = await refusedWrite(capture, rows);
      expect(error.details).toMatchObject({ calc: 'venue_concentration_hhi', captureId: capture.captureId, key: { week_ending: REVISION.weekEnding, tier: 'OTC', symbol: 'ABCP' } });
    });
  });
}
