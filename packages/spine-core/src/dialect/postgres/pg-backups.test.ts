import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../../core-migrations.js';
import { Migrator } from '../../migrations/migrator.js';
import { databaseBackups, openSpineDb } from '../../spine-db.js';
import { tempDir } from '../../test-support/migration-fixtures.js';
import { closeTestDatabases, hasPostgresServer, testDialects } from '../../testing.js';

const postgres = testDialects().find((d) => d.name === 'postgres');
const skipped = hasPostgresServer() ? '' : ' — skipped: pg_dump needs a PostgreSQL server, set SPINE_TEST_PG_URL';

afterEach(closeTestDatabases);

describe('PostgreSQL backups (pg_dump -Fc, pg_restore)', () => {
  it.skipIf(!hasPostgresServer())(`dumps a schema with its ledger, and restores it in one transaction over later changes${skipped}`, async () => {
    if (!postgres) throw new Error('no PostgreSQL test dialect');
    const target = postgres.newTarget();
    const db = await openSpineDb(target);
    try {
      await new Migrator(db, { sources: [coreMigrationSource()] }).migrate();
      await db.executor().exec("INSERT INTO core_anomalies (anomaly_id, domain, severity, category, message, detected_at) VALUES ('a1', 'd', 'WARNING', 'c', 'kept', '2026-01-01T00:00:00Z')");
      const directory = tempDir();
      const backups = databaseBackups(target);
      const backup = await backups.create({ directory, label: 'pre-change' });
      expect(backup.path).toMatch(/_pre-change_\d{8}T\d{9}Z\.dump$/);
      expect(backup.ledger).toEqual({ migrations: 6, head: 'core/basic/0006_core_source_configs' });
      expect((await backups.list(directory)).map((b) => [b.label, b.ledger?.migrations])).toEqual([['pre-change', 6]]);

      // Changes after the backup: a row, a dropped table, an extra table.
      await db.executor().exec("DELETE FROM core_anomalies; DROP TABLE core_source_configs; CREATE TABLE stray (id INTEGER)");
      await db.close();
      const restored = await backups.restore(backup.path);
      expect(restored.ledger).toEqual(backup.ledger);
      expect(restored.movedAside).toMatch(/_pre-restore_\d{8}T\d{9}Z\.dump$/);

      const after = await openSpineDb(target);
      try {
        const rows = await sql<{ message: string }>`SELECT message FROM core_anomalies`.execute(after.kysely);
        expect(rows.rows).toEqual([{ message: 'kept' }]);
        const verified = await new Migrator(after, { sources: [coreMigrationSource()] }).verify();
        expect(verified.checks.filter((c) => c.status !== 'ok')).toEqual([]);
      } finally {
        await after.close();
      }
    } finally {
      if (db) await db.close().catch(() => undefined);
    }
  });

  it.skipIf(!hasPostgresServer())(`refuses a file that is not a pg_dump archive and changes nothing${skipped}`, async () => {
    if (!postgres) throw new Error('no PostgreSQL test dialect');
    const target = postgres.newTarget();
    const db = await openSpineDb(target);
    await new Migrator(db, { sources: [coreMigrationSource()] }).migrate();
    const fake = join(tempDir(), 'test-x_manual_20260101T000000000Z.dump');
    writeFileSync(fake, 'not an archive');
    await expect(databaseBackups(target).restore(fake)).rejects.toMatchObject({ code: 'BACKUP_INVALID' });
    expect(readFileSync(fake, 'utf8')).toBe('not an archive');
    expect((await new Migrator(db, { sources: [coreMigrationSource()] }).status()).counts.applied).toBe(6);
    await db.close();
  });

  it('has no pg_dump backups for in-process PGlite', () => {
    expect(() => databaseBackups('pglite://x?schema=s')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});
