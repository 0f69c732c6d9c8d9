import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../core-migrations.js';
import { ErrorCode } from '../errors.js';
import { ledgerExists, readLedger } from '../migrations/ledger.js';
import { Migrator } from '../migrations/migrator.js';
import type { MigrateResult, MigratorOptions } from '../migrations/migrator.js';
import { diffSchemas } from '../schema/schema-snapshot.js';
import type { SpineDb } from '../spine-db.js';
import { openSpineDb } from '../spine-db.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { closeTestDatabases, testDialects } from '../testing.js';
import { databaseState, requireSqlClient, runSqlClient } from '../testing-bundles.js';
import { bundleMigratorOptions } from './bundle-apply.js';
import { buildBundle } from './bundle-build.js';
import { bundleGuard } from './bundle-guard.js';
import { BUNDLE_SQL_FILES } from './bundle-manifest.js';
import type { BundleManifest } from './bundle-manifest.js';

/**
 * Two quarters of core's migrations: 2026_q4 (basic) and 2027_q1
 * (intermediate, with PostgreSQL's `-- spine:no-transaction` CREATE INDEX
 * CONCURRENTLY). The bundles record core at 0.1.0, an older version than the
 * installed one, so the ledger must carry the bundle's version whichever way
 * the bundle is applied.
 */
const BUNDLE_VERSION = '0.1.0';
let first: { directory: string; manifest: BundleManifest };
let second: { directory: string; manifest: BundleManifest };

beforeAll(async () => {
  const bundles = join(tempDir('spine-bundle-apply-'), 'migrations');
  const sources = [{ ...coreMigrationSource(), version: BUNDLE_VERSION }];
  const options = { sources, bundlesDirectory: bundles, note: 'Core only.', createdAt: '2026-12-15T09:00:00.000Z' };
  first = await buildBundle({ ...options, quarter: '2026-Q4', tier: 'basic' });
  second = await buildBundle({ ...options, quarter: '2027-Q1', tier: 'intermediate' });
});

afterEach(closeTestDatabases);

const base: MigratorOptions = { sources: [coreMigrationSource()] };

/** `spine db migrate --bundle`: the Migrator restricted to the bundle, with its guard. */
async function migrateBundle(db: SpineDb, bundle: { manifest: BundleManifest }): Promise<MigrateResult> {
  return new Migrator(db, bundleMigratorOptions(bundle.manifest, db.dialectName, base)).migrate({ guard: bundleGuard(bundle.manifest, db.dialectName) });
}

describe('bundleMigratorOptions', () => {
  it('makes the Migrator refuse a bundle whose migrations the installed packages lack (verify the bundle first)', async () => {
    const db = await openSpineDb(':memory:');
    try {
      const extra = { ...first.manifest.migrations[0]!, id: 'core/basic/0099_not_installed' };
      const manifest = { ...first.manifest, migrations: [...first.manifest.migrations, extra] };
      const migrator = new Migrator(db, bundleMigratorOptions(manifest, 'sqlite', base));
      await expect(migrator.migrate({ guard: bundleGuard(manifest, 'sqlite') })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('core/basic/0099_not_installed') });
      expect(await ledgerExists(db)).toBe(false);
    } finally {
      await db.close();
    }
  });
});

for (const dialect of testDialects()) {
  const file = (bundle: { directory: string }) => join(bundle.directory, BUNDLE_SQL_FILES[dialect.name]);
  /** Opens a test target (a new database) through the engine. */
  const open = (target: string) => openSpineDb({ target, busyTimeoutMs: 30_000 });

  describe(`bundles on ${dialect.name} (${dialect.backend})`, () => {
    it('the Migrator with bundleMigratorOptions records each migration with the bundle id and the bundle’s package version', async () => {
      const db = await dialect.open();
      expect(await migrateBundle(db, first)).toMatchObject({ status: 'ok' });
      expect(await migrateBundle(db, second)).toMatchObject({ status: 'ok' });
      const rows = await readLedger(db);
      const ids = [...first.manifest.migrations, ...second.manifest.migrations].filter((m) => m.checksums[dialect.name] !== null);
      expect(rows.map((r) => [r.migration_id, r.bundle, r.package_version, r.checksum])).toEqual(
        ids.map((m) => [m.id, first.manifest.migrations.includes(m) ? '2026_q4' : '2027_q1', BUNDLE_VERSION, m.checksums[dialect.name]]),
      );
      expect((await new Migrator(db, { ...base, tier: 'intermediate' }).verify()).status).toBe('ok');
    });

    it('refuses a bundle applied twice, before writing anything', async () => {
      const db = await dialect.open();
      await migrateBundle(db, first);
      const before = await databaseState(db);
      const again = await migrateBundle(db, first);
      expect(again).toMatchObject({ status: 'refused', code: ErrorCode.BUNDLE_ALREADY_APPLIED, message: expect.stringContaining('bundle 2026_q4 is already applied') });
      expect(await databaseState(db)).toEqual(before);
    });

    it('refuses a bundle whose previous bundle is missing, naming it, without creating even the ledger', async () => {
      const db = await dialect.open();
      const result = await migrateBundle(db, second);
      expect(result).toMatchObject({ status: 'refused', code: ErrorCode.BUNDLE_PREVIOUS_MISSING, message: expect.stringContaining('bundle 2027_q1 needs bundle 2026_q4, which is not applied') });
      expect(result.status === 'refused' && result.hint).toContain('Apply bundle 2026_q4 first');
      expect(await ledgerExists(db)).toBe(false);
      expect(await db.dialect.introspector.listObjects(db.executor())).toEqual([]);
    });

    it('its SQL file applied with the client gives the engine’s schema and ledger, and a clean verify', async (ctx) => {
      requireSqlClient(dialect, (reason) => ctx.skip(reason));
      const engine = await dialect.open();
      await migrateBundle(engine, first);
      await migrateBundle(engine, second);

      const target = dialect.newTarget();
      for (const bundle of [first, second]) {
        const run = runSqlClient(dialect, target, file(bundle));
        expect(run.code, run.stderr).toBe(0);
      }
      const client = await open(target);
      try {
        const [expected, actual] = [await databaseState(engine), await databaseState(client)];
        expect(diffSchemas(expected.schema, actual.schema)).toEqual([]);
        expect(actual.ledger).toEqual(expected.ledger);
        expect(actual.ledger.length).toBeGreaterThan(0);
        const migrator = new Migrator(client, { ...base, tier: 'intermediate' });
        expect((await migrator.verify()).status).toBe('ok');
        expect((await migrator.status()).counts).toMatchObject({ pending: 0, changed: 0, future: 0 });
      } finally {
        await client.close();
      }
    });

    it('its SQL file applied twice with the client is refused by the guard and changes nothing', async (ctx) => {
      requireSqlClient(dialect, (reason) => ctx.skip(reason));
      const target = dialect.newTarget();
      expect(runSqlClient(dialect, target, file(first)).code).toBe(0);
      const db = await open(target);
      try {
        const before = await databaseState(db);
        const again = runSqlClient(dialect, target, file(first));
        expect(again.code).not.toBe(0);
        expect(again.stderr).toContain('bundle 2026_q4 is already applied');
        expect(await databaseState(db)).toEqual(before);
      } finally {
        await db.close();
      }
    });

    it('its SQL file on a database without the previous bundle is refused naming it, and writes nothing', async (ctx) => {
      requireSqlClient(dialect, (reason) => ctx.skip(reason));
      const target = dialect.newTarget();
      const run = runSqlClient(dialect, target, file(second));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('bundle 2027_q1 needs bundle 2026_q4, which is not applied');
      const db = await open(target);
      try {
        expect(await db.dialect.introspector.listObjects(db.executor())).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });
}
