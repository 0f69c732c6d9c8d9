import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpineError } from '../errors.js';
import { Migrator } from '../migrations/migrator.js';
import { SCRATCH_REGISTRY_TABLE } from '../schema/managed-objects.js';
import type { SpineDb } from '../spine-db.js';
import { fixtureSource } from '../test-support/migration-fixtures.js';
import { HHI_VARIANT_SELECT, SAMPLE_TABLE, loadSampleRows } from '../test-support/sample-rows.js';
import { closeTestDatabases, testDialects } from '../testing.js';
import { createScratch, dropScratch, listScratch } from './scratch.js';

/** Symbols of the sample with volume (computed independently with a short script over the file, as the FINRA pipeline tests' figures). */
const SAMPLE_SYMBOLS = 3111;

for (const dialect of testDialects()) {
  describe(`scratch tables and experimental views on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb;

    beforeAll(async () => {
      db = await dialect.open();
      await loadSampleRows(db);
    });
    afterAll(closeTestDatabases);

    it('creates a scratch table from a query and lists it with rows, size and age', async () => {
      const created = await createScratch(db, '_scratch_analyst_hhi_variant', { kind: 'table', select: HHI_VARIANT_SELECT }, 'HHI weighted by volume');
      expect(created).toMatchObject({ status: 'created', object: { name: '_scratch_analyst_hhi_variant', kind: 'table', rows: SAMPLE_SYMBOLS, note: 'HHI weighted by volume' } });
      const hhi = await sql<{ symbol: string; hhi_weighted: number }>`SELECT symbol, hhi_weighted FROM _scratch_analyst_hhi_variant WHERE symbol IN ('AABB', 'AACAY') ORDER BY symbol`.execute(db.kysely);
      // The HHI of the FINRA pipeline's tests, computed independently from the file.
      expect(hhi.rows[0]?.hhi_weighted).toBeCloseTo(0.9882034974208129, 12);
      expect(hhi.rows[1]?.hhi_weighted).toBeCloseTo(0.41718070867954893, 12);

      const createdAt = created.status === 'created' ? (created.object.createdAt as string) : '';
      const [listed] = await listScratch(db, new Date(Date.parse(createdAt) + 3 * 86_400_000));
      expect(listed).toMatchObject({ name: '_scratch_analyst_hhi_variant', rows: SAMPLE_SYMBOLS, ageSeconds: 3 * 86_400, createdBy: expect.stringContaining('@') });
      expect(listed?.bytes).toBeGreaterThan(50_000);
      expect(await createScratch(db, '_scratch_analyst_hhi_variant', { kind: 'table', columns: 'x INTEGER' })).toEqual({
        status: 'exists',
        name: '_scratch_analyst_hhi_variant',
        kind: 'table',
      });
    });

    it('creates a view and a table from column definitions; lists objects made with plain SQL, of unknown age', async () => {
      expect(await createScratch(db, '_exp_busy_venues', { kind: 'view', select: `SELECT symbol, mpid FROM ${SAMPLE_TABLE} WHERE trade_count > 1000` })).toMatchObject({
        status: 'created',
        object: { kind: 'view', rows: null, bytes: 0 },
      });
      expect(await createScratch(db, '_scratch_notes', { kind: 'table', columns: 'symbol TEXT NOT NULL, note TEXT' })).toMatchObject({ status: 'created', object: { rows: 0 } });
      await db.executor().exec('CREATE TABLE _scratch_by_hand (x INTEGER)');
      const list = await listScratch(db);
      expect(list.map((o) => o.name)).toEqual(['_scratch_analyst_hhi_variant', '_exp_busy_venues', '_scratch_notes', '_scratch_by_hand']);
      expect(list.at(-1)).toMatchObject({ createdAt: null, ageSeconds: null, createdBy: null });
    });

    it('refuses names without the scratch prefix and a second statement, and changes nothing', async () => {
      const before = await listScratch(db);
      await expect(createScratch(db, 'analyst_table', { kind: 'table', columns: 'x INTEGER' })).rejects.toSatisfy((e) => isSpineError(e, 'INVALID_IDENTIFIER'));
      await expect(dropScratch(db, SAMPLE_TABLE)).rejects.toSatisfy((e) => isSpineError(e, 'INVALID_IDENTIFIER'));
      await expect(createScratch(db, '_scratch_two', { kind: 'table', select: `SELECT 1 AS x; DROP TABLE ${SAMPLE_TABLE}` })).rejects.toSatisfy((e) =>
        isSpineError(e, 'INVALID_ARGUMENT'),
      );
      await expect(createScratch(db, '_scratch_bad', { kind: 'table', select: 'SELECT * FROM no_such_table' })).rejects.toSatisfy((e) => isSpineError(e, 'INVALID_ARGUMENT'));
      expect(await listScratch(db)).toEqual(before);
    });

    it('drops a scratch object with its registry entry', async () => {
      expect(await dropScratch(db, '_exp_busy_venues')).toEqual({ status: 'dropped', name: '_exp_busy_venues', kind: 'view', rows: null });
      expect(await dropScratch(db, '_scratch_notes')).toEqual({ status: 'dropped', name: '_scratch_notes', kind: 'table', rows: 0 });
      expect(await dropScratch(db, '_scratch_notes')).toEqual({ status: 'not_found', name: '_scratch_notes' });
      const registered = await db.kysely.selectFrom(SCRATCH_REGISTRY_TABLE).select('name').orderBy('name').execute();
      expect(registered.map((r) => r.name)).toEqual(['_scratch_analyst_hhi_variant']);
    });
  });

  describe(`the drift check on ${dialect.name} (${dialect.backend}) leaves scratch objects out`, () => {
    afterAll(closeTestDatabases);

    it('ignores scratch tables, experimental views, indexes on scratch tables and the registry', async () => {
      const db = await dialect.open();
      const source = fixtureSource('lab', { 'basic/0001_venues.sql': 'CREATE TABLE lab_venues (mpid TEXT NOT NULL, name TEXT);' });
      const migrator = new Migrator(db, { sources: [source] });
      expect((await migrator.migrate()).status).toBe('ok');
      await createScratch(db, '_scratch_venue_names', { kind: 'table', select: 'SELECT mpid, name FROM lab_venues' });
      await createScratch(db, '_exp_venue_count', { kind: 'view', select: 'SELECT COUNT(*) AS n FROM lab_venues' });
      await db.executor().exec('CREATE INDEX idx_venue_names_mpid ON _scratch_venue_names (mpid)');
      const verified = await migrator.verify();
      expect(verified.drift).toEqual([]);
      expect(verified.status).toBe('ok');
      await db.executor().exec('CREATE INDEX idx_lab_venues_name ON lab_venues (name)');
      expect((await migrator.verify()).drift.map((d) => [d.kind, d.name])).toEqual([['extra', 'idx_lab_venues_name']]);
    });
  });
}
