import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../migrations/migrator.js';
import type { MigrationSource } from '../migrations/source.js';
import type { SpineDb } from '../spine-db.js';
import { fixtureSource } from '../test-support/migration-fixtures.js';
import { HHI_VARIANT_SELECT, SAMPLE_TABLE, loadSampleRows } from '../test-support/sample-rows.js';
import { closeTestDatabases, testDialects } from '../testing.js';
import { generatePromotion } from './promote.js';
import type { PromotionResult } from './promote.js';
import { createScratch } from './scratch.js';

type Generated = Extract<PromotionResult, { status: 'generated' }>;

for (const dialect of testDialects()) {
  describe(`spine ops promote on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb;
    let source: MigrationSource;
    let migrator: Migrator;
    let result: Generated;

    beforeAll(async () => {
      db = await dialect.open();
      source = fixtureSource('lab', { 'basic/0001_lab_start.sql': 'CREATE TABLE lab_start (id INTEGER PRIMARY KEY);' });
      migrator = new Migrator(db, { sources: [source] });
      expect((await migrator.migrate()).status).toBe('ok');
      await loadSampleRows(db);
      // Declared columns with a business key, filled from the real sample (seed 000's example scratch table).
      await createScratch(db, '_scratch_analyst_hhi_variant', {
        kind: 'table',
        columns:
          'week_ending TEXT, tier TEXT, symbol TEXT, venue_count INTEGER, hhi_weighted DOUBLE PRECISION, captured_at TEXT, capture_id TEXT, UNIQUE (week_ending, tier, symbol, capture_id)',
      });
      await sql.raw(`INSERT INTO _scratch_analyst_hhi_variant ${HHI_VARIANT_SELECT}`).execute(db.kysely);
      const generated = await generatePromotion(db, { scratchTable: '_scratch_analyst_hhi_variant', to: 'lab_hhi_variant', source });
      if (generated.status !== 'generated') throw new Error(JSON.stringify(generated));
      result = generated;
    });
    afterAll(closeTestDatabases);

    it('writes up and down scripts for SQLite, PostgreSQL and DB2 under the next free number, and changes nothing in the database', async () => {
      expect(result.migrationId).toBe('lab/basic/0002_lab_hhi_variant');
      expect(result.files.map((f) => basename(f))).toEqual([
        '0002_lab_hhi_variant.sql',
        '0002_lab_hhi_variant.postgres.sql',
        '0002_lab_hhi_variant.db2.sql',
        '0002_lab_hhi_variant.down.sql',
        '0002_lab_hhi_variant.down.postgres.sql',
        '0002_lab_hhi_variant.down.db2.sql',
      ]);
      expect((await migrator.status()).entries.map((e) => [e.id, e.state])).toEqual([
        ['lab/basic/0001_lab_start', 'applied'],
        ['lab/basic/0002_lab_hhi_variant', 'pending'],
      ]);
      expect(result.columns.map((c) => [c.name, c.type, c.notNull])).toEqual([
        ['week_ending', 'date', true],
        ['tier', 'text', true],
        ['symbol', 'text', true],
        ['venue_count', 'integer', false],
        ['hhi_weighted', 'real', false],
        ['captured_at', 'instant', false],
        ['capture_id', 'text', true],
      ]);
      expect(result.indexes.map((i) => i.name)).toEqual(['idx_lab_hhi_variant_capture', 'idx_lab_hhi_variant_symbol', 'idx_lab_hhi_variant_latest']);
      const [portable, postgres, db2] = result.files.map((f) => readFileSync(f, 'utf8'));
      expect(portable).toContain("week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')");
      expect(portable).toContain('venue_count INTEGER CHECK (venue_count >= 0)');
      expect(portable).toContain('CREATE INDEX IF NOT EXISTS idx_lab_hhi_variant_latest ON lab_hhi_variant (week_ending, tier, captured_at DESC, capture_id DESC);');
      expect(postgres).toContain('week_ending DATE NOT NULL,');
      expect(postgres).toContain('captured_at TIMESTAMPTZ,');
      expect(db2).toContain('CREATE TABLE LAB_HHI_VARIANT (');
      expect(db2).toContain('UNIQUE (WEEK_ENDING, TIER, SYMBOL, CAPTURE_ID)');
    });

    it('generates a migration the Migrator applies, verifies without drift and rolls back', async () => {
      const migrated = await migrator.migrate();
      expect(migrated.status).toBe('ok');
      // Only the sample's table (loaded by the test, outside any migration) differs from the migrations: no drift from the promotion.
      const verified = await migrator.verify();
      expect(verified.drift.map((d) => [d.kind, d.objectType, d.name])).toEqual([
        ['extra', 'table', SAMPLE_TABLE],
        ['extra', 'index', 'idx_sample_venue_rows_symbol'],
      ]);
      expect(verified.checks.filter((c) => c.status !== 'ok').map((c) => c.name)).toEqual(['drift']);
      // The table is new and empty: the scratch rows are the analyst's, left where they are.
      expect(Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM lab_hhi_variant`.execute(db.kysely)).rows[0]?.n)).toBe(0);
      const row = { week_ending: '2025-11-14', tier: 'OTC', symbol: 'AABB', venue_count: 2, hhi_weighted: 0.9882034974208129, captured_at: '2025-12-15T00:00:00.000Z', capture_id: 'cap_x' };
      await db.kysely.insertInto('lab_hhi_variant').values(row).execute();
      expect(await db.kysely.selectFrom('lab_hhi_variant').selectAll().execute()).toEqual([row]);
      // Seed 000's standard CHECKs: counts are non-negative.
      await expect(db.kysely.insertInto('lab_hhi_variant').values({ ...row, symbol: 'AACAY', venue_count: -1 }).execute()).rejects.toThrow(/check/i);
      expect((await migrator.rollback({ steps: 1 })).status).toBe('ok');
      expect((await db.dialect.introspector.listObjects(db.executor())).some((o) => o.name === 'lab_hhi_variant')).toBe(false);
    });

    it('refuses a missing scratch table and a production name in use, writing nothing', async () => {
      expect(await generatePromotion(db, { scratchTable: '_scratch_nothing', to: 'lab_nothing', source })).toEqual({ status: 'not_found', scratchTable: '_scratch_nothing' });
      expect(await generatePromotion(db, { scratchTable: '_scratch_analyst_hhi_variant', to: 'lab_start', source })).toEqual({ status: 'target_exists', to: 'lab_start' });
      expect((await migrator.status()).entries).toHaveLength(2);
    });
  });
}
