import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Migrator, coreMigrationSource, createScratch, generatePromotion } from '@market-spine/core';
import type { MigrationSource, SpineDb } from '@market-spine/core';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalcEntrySchema, TABLE_PREFIX } from '../calcs.js';
import { createVenueVolumePercentilesView, VENUE_VOLUME_PERCENTILES_VIEW } from '../experiments/venue-volume-percentiles.js';
import { finraMigrationSource } from '../migration-source.js';
import { runPipeline } from '../pipeline/run.js';
import type { FinraTables } from '../tables.js';
import { migratedDb, tempDir } from '../test-support/finra-db.js';
import { calcEntryStub } from './calc-stub.js';

const T1_FIXTURE = fileURLToPath(new URL('../fixtures/week_2025-12-13.psv', import.meta.url));
const TABLE = `${TABLE_PREFIX}venue_volume_percentiles`;

describe('calcEntryStub', () => {
  it('writes a CALCS entry that validates once pasted, with the business keys the table has', () => {
    const stub = calcEntryStub(TABLE, ['week_ending', 'tier', 'symbol', 'capture_id', 'p50_volume']);
    expect(stub?.name).toBe('venue_volume_percentiles');
    const entry = Function(`return {${stub?.text}}`)() as Record<string, unknown>;
    expect(CalcEntrySchema.parse(entry.venue_volume_percentiles)).toMatchObject({ table: TABLE, business_keys: ['week_ending', 'tier', 'symbol'] });
    expect(calcEntryStub('core_other', ['week_ending'])).toBeNull();
  });
});

for (const dialect of testDialects()) {
  describe(`promoting the percentile experiment to a FINRA table on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb<FinraTables>;
    let source: MigrationSource;

    beforeAll(async () => {
      db = await migratedDb(dialect);
      expect((await runPipeline(db, [T1_FIXTURE], { weekEnding: '2025-12-12', tier: 'NMS_TIER_1' })).status).toBe('ok');
      await createVenueVolumePercentilesView(db);
      // Seed 000: a view that proves useful is materialized, first as a scratch table.
      await createScratch(db, '_scratch_venue_volume_percentiles', { kind: 'table', select: `SELECT * FROM ${VENUE_VOLUME_PERCENTILES_VIEW}` });
      // A temp copy of the package's migrations folder: the real one is never written by tests.
      const directory = join(tempDir(), 'migrations');
      cpSync(finraMigrationSource().directory, directory, { recursive: true });
      source = { ...finraMigrationSource(), directory };
    }, 300_000);
    afterAll(closeTestDatabases);

    it('generates the migration into the copy, which the Migrator applies cleanly, verifies and rolls back', async () => {
      const stub = calcEntryStub(TABLE, ['week_ending', 'tier', 'symbol', 'capture_id']);
      const result = await generatePromotion(db, {
        scratchTable: '_scratch_venue_volume_percentiles',
        to: TABLE,
        source,
        slug: 'venue_volume_percentiles',
        indexStem: 'fotc_venue_vol_pct',
        notes: ['CALCS entry to complete:', ...(stub?.text.split('\n') ?? [])],
      });
      if (result.status !== 'generated') throw new Error(JSON.stringify(result));
      expect(result.migrationId).toMatch(/^domains-finra\/basic\/\d{4}_venue_volume_percentiles$/);
      expect(result.indexes.map((i) => i.name)).toEqual(['idx_fotc_venue_vol_pct_capture', 'idx_fotc_venue_vol_pct_symbol', 'idx_fotc_venue_vol_pct_latest']);
      expect(result.columns.map((c) => [c.name, c.type])).toEqual([
        ['week_ending', 'date'],
        ['tier', 'text'],
        ['symbol', 'text'],
        ['capture_id', 'text'],
        ['captured_at', 'instant'],
        ['venue_count', 'integer'],
        ['p50_volume', 'real'],
        ['p95_volume', 'real'],
      ]);
      expect(readFileSync(result.files[0] as string, 'utf8')).toContain("--     table: 'finra_otc_transparency_venue_volume_percentiles',");

      const migrator = new Migrator(db, { sources: [coreMigrationSource(), source] });
      const migrated = await migrator.migrate();
      expect(migrated.status).toBe('ok');
      expect(migrated.status === 'ok' ? migrated.applied.map((m) => m.id) : []).toEqual([result.migrationId]);
      expect((await migrator.verify()).drift).toEqual([]);
      await sql.raw(`INSERT INTO ${TABLE} (week_ending, tier, symbol, capture_id, captured_at, venue_count, p50_volume, p95_volume)
        SELECT week_ending, tier, symbol, capture_id, captured_at, venue_count, p50_volume, p95_volume FROM ${VENUE_VOLUME_PERCENTILES_VIEW}`).execute(db.kysely);
      const rows = await sql<{ symbol: string; p50_volume: number }>`SELECT symbol, p50_volume FROM ${sql.table(TABLE)} ORDER BY symbol`.execute(db.kysely);
      expect(rows.rows.map((r) => [r.symbol, r.p50_volume])).toEqual([['A', 62167], ['AA', 94923.5], ['AAAU', 6693.5], ['AAL', 313671]]);
      expect((await migrator.rollback({ steps: 1 })).status).toBe('ok');
    });
  });
}
