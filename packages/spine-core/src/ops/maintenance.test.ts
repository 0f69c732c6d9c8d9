import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isSpineError } from '../errors.js';
import type { SpineDb } from '../spine-db.js';
import { closeTestDatabases, testDialects } from '../testing.js';
import { SAMPLE_ROW_COUNT, SAMPLE_TABLE, loadSampleRows } from '../test-support/sample-rows.js';
import { analyzeTables, databaseSizes, explainStatement, vacuumDatabase } from './maintenance.js';

const countRows = async (db: SpineDb): Promise<number> =>
  Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(SAMPLE_TABLE)}`.execute(db.kysely)).rows[0]?.n);

for (const dialect of testDialects()) {
  describe(`spine ops maintenance on ${dialect.name} (${dialect.backend}), over the real OTC sample of 2025-11-14`, () => {
    let db: SpineDb;

    beforeAll(async () => {
      db = await dialect.open();
      expect(await loadSampleRows(db)).toBe(SAMPLE_ROW_COUNT);
      await analyzeTables(db);
    });
    afterAll(closeTestDatabases);

    it('reports each table with its indexes, and the database size', async () => {
      const sizes = await databaseSizes(db);
      const sample = sizes.tables.find((t) => t.table === SAMPLE_TABLE);
      expect(sample?.tableBytes).toBeGreaterThan(100_000);
      expect(sample?.indexBytes).toBeGreaterThan(10_000);
      expect(sample?.totalBytes).toBe((sample?.tableBytes ?? 0) + (sample?.indexBytes ?? 0));
      expect(sizes.tables.map((t) => t.totalBytes)).toEqual([...sizes.tables.map((t) => t.totalBytes)].sort((a, b) => b - a));
      expect(sizes.databaseBytes).toBeGreaterThanOrEqual(sample?.totalBytes ?? Infinity);
    });

    it('analyzes one table or all of them, and says when the table does not exist', async () => {
      expect(await analyzeTables(db, SAMPLE_TABLE)).toEqual({ status: 'analyzed', tables: [SAMPLE_TABLE] });
      expect(await analyzeTables(db, 'no_such_table')).toEqual({ status: 'not_found', table: 'no_such_table' });
    });

    it('flags a full scan, through an alias and through a view, and not an index lookup', async () => {
      const lookup = await explainStatement(db, `SELECT * FROM ${SAMPLE_TABLE} WHERE symbol = 'AABB'`);
      expect(lookup.status, lookup.lines.join('\n')).toBe('clean');
      expect(lookup.lines.join('\n')).toContain('idx_sample_venue_rows_symbol');

      const scan = await explainStatement(db, `SELECT * FROM ${SAMPLE_TABLE} AS s WHERE s.trade_count > 1000;`);
      expect(scan.status).toBe('full_scans');
      expect(scan.fullScans.map((f) => f.table)).toEqual([SAMPLE_TABLE]);

      await db.executor().exec(`CREATE VIEW busy_venues AS SELECT x.symbol, x.mpid FROM ${SAMPLE_TABLE} AS x WHERE x.trade_count > 1000`);
      const throughView = await explainStatement(db, 'SELECT * FROM busy_venues');
      expect(throughView.fullScans.map((f) => f.table)).toEqual([SAMPLE_TABLE]);
    });

    it('refuses two statements and SQL the database cannot plan', async () => {
      await expect(explainStatement(db, `SELECT 1; DELETE FROM ${SAMPLE_TABLE}`)).rejects.toSatisfy((e) => isSpineError(e, 'INVALID_ARGUMENT'));
      await expect(explainStatement(db, 'SELECT * FROM no_such_table')).rejects.toSatisfy((e) => isSpineError(e, 'INVALID_ARGUMENT'));
      expect(await countRows(db)).toBe(SAMPLE_ROW_COUNT);
    });

    it('gives back the space of deleted rows and measures it', async () => {
      const deleted = await db.kysely.deleteFrom(SAMPLE_TABLE).where('symbol', '>=', 'B').executeTakeFirst();
      const remaining = SAMPLE_ROW_COUNT - Number(deleted.numDeletedRows);
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThan(SAMPLE_ROW_COUNT / 2);
      const before = (await databaseSizes(db)).databaseBytes;
      // On a shared PostgreSQL server another session's older snapshot keeps deleted rows alive until it ends
      // (VACUUM keeps what a running transaction may still see), so VACUUM is repeated until it can free them.
      let first: Awaited<ReturnType<typeof vacuumDatabase>> | undefined;
      await vi.waitFor(
        async () => {
          first = await vacuumDatabase(db);
          expect(before - first.bytesAfter).toBeGreaterThan(100_000);
        },
        { timeout: 30_000, interval: 500 },
      );
      const reclaimed = before - (first?.bytesAfter ?? before);
      expect(first?.bytesAfter).toBe((first?.bytesBefore ?? 0) - (first?.reclaimedBytes ?? 0));
      expect(await databaseSizes(db)).toMatchObject({ databaseBytes: first?.bytesAfter });
      expect(await countRows(db)).toBe(remaining);
      const second = await vacuumDatabase(db);
      expect(Math.abs(second.reclaimedBytes)).toBeLessThan(reclaimed / 10);
    });
  });
}
