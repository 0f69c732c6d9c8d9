import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_MANIFEST_FILE, BUNDLE_SQL_FILES, bundleSpecFromManifest, diffSchemas, openSpineDb, readBundleManifest, renderBundle } from '@market-spine/core';
import type { BundleManifest } from '@market-spine/core';
import { databaseState, requireSqlClient, runSqlClient, testDialects } from '@market-spine/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrationSources } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { spine, tempCwd } from '../test-support/cli.js';

/** The committed first bundle (a release artifact at the repository root). */
const COMMITTED = fileURLToPath(new URL('../../../../migrations/2026_q4/', import.meta.url));

/**
 * A working directory with two bundles built by the CLI from the installed
 * packages: 2026_q4 (basic, the default tier) and 2027_q1 (intermediate).
 */
let cwd: string;
let first: BundleManifest;
let second: BundleManifest;

beforeAll(async () => {
  cwd = tempCwd();
  const built = await spine(cwd, 'bundle', 'build', '2026-Q4', '--json');
  expect(built.code, built.stderr).toBe(0);
  first = (JSON.parse(built.stdout) as { manifest: BundleManifest }).manifest;
  const next = await spine(cwd, 'bundle', 'build', '2027-Q1', '--tier', 'intermediate', '--json');
  expect(next.code, next.stderr).toBe(0);
  second = (JSON.parse(next.stdout) as { manifest: BundleManifest }).manifest;
});

describe('spine bundle build | verify', () => {
  it('builds migrations/<yyyy>_q<n>/ from core and FINRA in apply order, and verifies it', async () => {
    expect(first).toMatchObject({ bundle: '2026_q4', quarter: '2026-Q4', tier: 'basic', previous_bundle: null, note: expect.stringContaining('@market-spine/domains-risk is not bundled') });
    expect(first.packages.map((p) => p.package)).toEqual(['@market-spine/core', '@market-spine/domains-finra']);
    const packages = first.migrations.map((m) => m.package);
    expect(packages.lastIndexOf('@market-spine/core')).toBeLessThan(packages.indexOf('@market-spine/domains-finra'));
    expect(packages.indexOf('@market-spine/domains-finra')).toBeGreaterThan(0);
    for (const name of [BUNDLE_MANIFEST_FILE, ...Object.values(BUNDLE_SQL_FILES)]) expect(existsSync(join(cwd, 'migrations/2026_q4', name))).toBe(true);
    expect(second).toMatchObject({ bundle: '2027_q1', previous_bundle: '2026_q4' });

    const verified = await spine(cwd, 'bundle', 'verify', 'migrations/2026_q4');
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain('✓ rebuild: rebuilding from the sources gives the same bytes');
  });

  it('refuses to build an existing quarter again unless --force, which rebuilds it', async () => {
    const dir = tempCwd();
    expect((await spine(dir, 'bundle', 'build', '2026-Q4', '--created-at', '2026-12-15T09:00:00.000Z')).code).toBe(0);
    const manifest = readFileSync(join(dir, 'migrations/2026_q4/manifest.json'), 'utf8');
    const again = await spine(dir, 'bundle', 'build', '2026-Q4');
    expect(again.code).toBe(ExitCode.FAILED);
    expect(again.stderr).toContain('[BUNDLE_BUILD_REFUSED]');
    expect(again.stderr).toContain('--force');
    const forced = await spine(dir, 'bundle', 'build', '2026-Q4', '--force', '--created-at', '2026-12-15T09:00:00.000Z');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Rebuilt bundle 2026_q4');
    expect(readFileSync(join(dir, 'migrations/2026_q4/manifest.json'), 'utf8')).toBe(manifest);
  });

  it('fails verify naming the tampered file', async () => {
    const dir = tempCwd();
    cpSync(join(cwd, 'migrations/2026_q4'), join(dir, '2026_q4'), { recursive: true });
    const file = join(dir, '2026_q4/postgres.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('COMMIT;', 'ROLLBACK;'));
    const result = await spine(dir, 'bundle', 'verify', '2026_q4', '--json');
    expect(result.code).toBe(ExitCode.FAILED);
    const checks = (JSON.parse(result.stdout) as { checks: { name: string; status: string; problems: string[] }[] }).checks.filter((c) => c.status === 'failed');
    expect(checks.map((c) => [c.name, c.problems[0]?.split(':')[0]])).toEqual([
      ['files', 'postgres.sql'],
      ['rebuild', 'postgres.sql'],
    ]);
  });

  it('the committed migrations/2026_q4 rebuilds byte for byte from the sources (its manifest ids and created_at)', async () => {
    const rebuilt = await renderBundle(migrationSources(), bundleSpecFromManifest(readBundleManifest(COMMITTED)));
    for (const [name, text] of Object.entries(rebuilt.files)) expect(readFileSync(join(COMMITTED, name), 'utf8'), name).toBe(text);
    const verified = await spine(cwd, 'bundle', 'verify', COMMITTED);
    expect(verified.code, verified.stdout).toBe(0);
  });
});

for (const dialect of testDialects()) {
  const bundle = (id: string) => join(cwd, 'migrations', id);

  describe(`spine db migrate --bundle on ${dialect.name} (${dialect.backend})`, () => {
    it(`gives the same schema and ledger as the bundle's SQL file run by the ${dialect.name} client, and refuses a second run either way`, async (ctx) => {
      requireSqlClient(dialect, (reason) => ctx.skip(reason));
      const viaCli = dialect.newTarget();
      const applied = await spine(cwd, '--db', viaCli, 'db', 'migrate', '--bundle', 'migrations/2026_q4');
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain(`Applied ${first.migrations.filter((m) => m.checksums[dialect.name] !== null).length} migration(s) of bundle 2026_q4`);

      const viaClient = dialect.newTarget();
      const run = runSqlClient(dialect, viaClient, join(bundle('2026_q4'), BUNDLE_SQL_FILES[dialect.name]));
      expect(run.code, run.stderr).toBe(0);
      expect((await spine(cwd, '--db', viaClient, 'db', 'verify')).code).toBe(0);

      const [cliDb, clientDb] = [await openSpineDb(viaCli), await openSpineDb(viaClient)];
      try {
        const [expected, actual] = [await databaseState(cliDb), await databaseState(clientDb)];
        expect(diffSchemas(expected.schema, actual.schema)).toEqual([]);
        expect(actual.ledger).toEqual(expected.ledger);
        expect(new Set(actual.ledger.map((r) => r.bundle))).toEqual(new Set(['2026_q4']));

        for (const target of [viaCli, viaClient]) {
          const again = await spine(cwd, '--db', target, 'db', 'migrate', '--bundle', 'migrations/2026_q4');
          expect(again.code).toBe(ExitCode.FAILED);
          expect(again.stderr).toContain('bundle 2026_q4 is already applied');
          expect(again.stderr).toContain('[BUNDLE_ALREADY_APPLIED]');
        }
        const clientAgain = runSqlClient(dialect, viaCli, join(bundle('2026_q4'), BUNDLE_SQL_FILES[dialect.name]));
        expect(clientAgain.code).not.toBe(0);
        expect(clientAgain.stderr).toContain('bundle 2026_q4 is already applied');
        expect(await databaseState(cliDb)).toEqual(expected);
        expect(await databaseState(clientDb)).toEqual(actual);
      } finally {
        await Promise.all([cliDb.close(), clientDb.close()]);
      }
    });

    it('refuses a bundle whose previous bundle is missing, naming it, without writing', async () => {
      const target = dialect.newTarget();
      const result = await spine(cwd, '--db', target, 'db', 'migrate', '--bundle', 'migrations/2027_q1');
      expect(result.code).toBe(ExitCode.FAILED);
      expect(result.stderr).toContain('bundle 2027_q1 needs bundle 2026_q4, which is not applied');
      expect(result.stderr).toContain('[BUNDLE_PREVIOUS_MISSING]');
      if (dialect.backend === 'sqlite') expect(existsSync(target)).toBe(false);
      else {
        const db = await openSpineDb(target);
        try {
          expect(await db.dialect.introspector.listObjects(db.executor())).toEqual([]);
        } finally {
          await db.close();
        }
      }
    });

    it('spine bundle list shows which bundles the database has', async () => {
      const target = dialect.newTarget();
      expect((await spine(cwd, '--db', target, 'db', 'migrate', '--bundle', 'migrations/2026_q4')).code).toBe(0);
      const listed = await spine(cwd, '--db', target, 'bundle', 'list', '--json');
      expect(listed.code, listed.stderr).toBe(0);
      const states = (JSON.parse(listed.stdout) as { bundles: { bundle: string; state: string; applied: number; fromBundle: number }[] }).bundles;
      const count = first.migrations.filter((m) => m.checksums[dialect.name] !== null).length;
      expect(states.map((b) => [b.bundle, b.state])).toEqual([
        ['2026_q4', 'applied'],
        ['2027_q1', 'not-applied'],
      ]);
      expect(states[0]).toMatchObject({ applied: count, fromBundle: count });
      expect((await spine(cwd, '--db', target, 'bundle', 'list')).stdout).toMatch(/2026_q4 .*│ applied/);
    });
  });
}
