import type { SpineDb } from '@market-spine/core';
import { testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCaptures, listCaptures } from './capture-diff.js';
import type { CaptureDiff, CaptureInfo } from './capture-diff.js';
import { runPipeline } from './pipeline/run.js';
import type { FinraTables } from './tables.js';
import { migratedDb, tempDir } from './test-support/finra-db.js';
import { REVISION, writeRevisionFiles } from './test-support/revision-fixture.js';

const week = { weekEnding: REVISION.weekEnding, tier: REVISION.tier } as const;

for (const dialect of testDialects()) {
  describe(`capture diff of a real-sample revision, on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let single: CaptureDiff;
    let captures: CaptureInfo[];

    beforeAll(async () => {
      db = await migratedDb(dialect);
      const files = writeRevisionFiles(tempDir());
      expect((await runPipeline(db, [files.original])).status).toBe('ok');
      single = await diffCaptures(db, week);
      expect((await runPipeline(db, [files.revision])).status).toBe('ok');
      // Ingested only: not normalized, so not comparable; the default diff skips it.
      expect((await runPipeline(db, [files.secondRevision], { through: 'INGESTED' })).status).toBe('ok');
      captures = await listCaptures(db, week.weekEnding, week.tier);
    });
    afterAll(async () => db.close());

    it('lists rows added, removed and changed (old → new) between the two newest comparable captures', async () => {
      const diff = await diffCaptures(db, week);
      expect(diff).toMatchObject({ status: 'ok', from: captures[2], to: captures[1] });
      if (diff.status !== 'ok') return;
      expect(diff.from.sourceLastUpdateDate).toBe(REVISION.publishedOn);
      expect(diff.to.sourceLastUpdateDate).toBe(REVISION.revisedOn);
      expect(diff.changed).toEqual(REVISION.changed);
      expect(diff.added).toEqual(REVISION.added);
      expect(diff.removed).toEqual(REVISION.removed);
      // lastUpdateDate differs on the changed rows only; the 36 untouched rows compare equal.
      expect(diff.unchanged).toBe(REVISION.rows - REVISION.changed.length - REVISION.removed.length);
    });

    it('compares the captures given, in either direction', async () => {
      const [, revision, original] = captures as [CaptureInfo, CaptureInfo, CaptureInfo];
      const backwards = await diffCaptures(db, { ...week, from: revision.captureId, to: original.captureId });
      if (backwards.status !== 'ok') throw new Error(`expected ok, got ${backwards.status}`);
      expect(backwards.added).toEqual(REVISION.removed);
      expect(backwards.removed).toEqual(REVISION.added);
      expect(backwards.changed).toEqual(REVISION.changed.map((c) => ({ ...c, totalVolume: { old: c.totalVolume.new, new: c.totalVolume.old }, tradeCount: { old: c.tradeCount.new, new: c.tradeCount.old } })));
      const toOriginal = await diffCaptures(db, { ...week, to: original.captureId });
      expect(toOriginal.status).toBe('not_enough_captures');
      const fromOriginal = await diffCaptures(db, { ...week, from: original.captureId });
      expect(fromOriginal).toMatchObject({ status: 'ok', from: original, to: revision });
    });

    it('reports what cannot be compared as results', async () => {
      expect(single).toMatchObject({ status: 'not_enough_captures', captures: [{ stage: 'SNAPSHOT', venueRows: REVISION.rows }] });
      expect(await diffCaptures(db, { ...week, weekEnding: '2025-11-21' })).toEqual({ status: 'not_enough_captures', ...week, weekEnding: '2025-11-21', captures: [] });
      const ingestedOnly = captures[0]?.captureId ?? '';
      expect(await diffCaptures(db, { ...week, to: ingestedOnly })).toEqual({ status: 'capture_not_found', ...week, captureId: ingestedOnly, captures });
      expect(await diffCaptures(db, { ...week, from: 'cap_nope' })).toMatchObject({ status: 'capture_not_found', captureId: 'cap_nope' });
    });
  });
}
