import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../core-migrations.js';
import { ErrorCode } from '../errors.js';
import { discoverMigrations, loadMigration } from '../migrations/discovery.js';
import type { MigrationSource } from '../migrations/source.js';
import { DB2_LEDGER_DDL } from '../dialect/db2/db2-ledger.js';
import { DB2_ONLY_MARKER, splitDb2Statements } from '../dialect/db2/db2-statements.js';
import { fixtureSource, tempDir } from '../test-support/migration-fixtures.js';
import { buildBundle, bundleSpecFromManifest, renderBundle } from './bundle-build.js';
import type { BundleBuildOptions } from './bundle-build.js';
import { BUNDLE_DIALECTS, BUNDLE_SQL_FILES, bundleChecksum, readBundleManifest, sha256Hex } from './bundle-manifest.js';
import type { BundleManifest } from './bundle-manifest.js';
import { verifyBundle } from './bundle-verify.js';
import type { BundleVerifyResult } from './bundle-verify.js';

/** A migration in its three dialect forms (same portable DDL) with its downs, as every package migration ships. */
function migrationFiles(tier: string, name: string, up: string, down: string, header = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const suffix of ['', '.postgres', '.db2']) {
    files[`${tier}/${name}${suffix}.sql`] = `${header}${up}\n`;
    files[`${tier}/${name}.down${suffix}.sql`] = `${down}\n`;
  }
  return files;
}

/** A package beside core: two basic migrations, one optional-feature one, one intermediate. */
function extraSource(root: string): MigrationSource {
  return fixtureSource(
    'extra',
    {
      ...migrationFiles('basic', '0001_extra_items', 'CREATE TABLE extra_items (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE extra_items'),
      ...migrationFiles('basic', '0002_extra_notes', 'CREATE TABLE extra_notes (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE extra_notes'),
      ...migrationFiles('basic', '0003_extra_optional', 'CREATE TABLE extra_optional (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE extra_optional', '-- spine:feature extra_optional\n'),
      ...migrationFiles('intermediate', '0001_extra_more', 'CREATE TABLE extra_more (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE extra_more'),
    },
    { dependsOn: ['core'], root, version: '3.1.0' },
  );
}

function setup(): { bundles: string; sources: MigrationSource[]; options: (quarter: string, extra?: Partial<BundleBuildOptions>) => BundleBuildOptions } {
  const root = tempDir('spine-bundle-');
  const bundles = join(root, 'migrations');
  const sources = [extraSource(root), coreMigrationSource()];
  return {
    bundles,
    sources,
    options: (quarter, extra = {}) => ({ sources, bundlesDirectory: bundles, quarter, tier: 'basic', note: 'Test bundle.', createdAt: '2026-12-15T09:00:00.000Z', ...extra }),
  };
}

function readFiles(directory: string): Record<string, string> {
  return Object.fromEntries(['manifest.json', ...Object.values(BUNDLE_SQL_FILES)].map((name) => [name, readFileSync(join(directory, name), 'utf8')]));
}

function failed(result: BundleVerifyResult): Record<string, readonly string[]> {
  return Object.fromEntries(result.checks.filter((c) => c.status === 'failed').map((c) => [c.name, c.problems]));
}

describe('buildBundle', () => {
  it("collects every package's migrations of the tier in apply order, with the engine's checksums, and verifies", async () => {
    const { options, sources } = setup();
    const built = await buildBundle(options('2026-Q4'));
    const { manifest } = built;
    const expected = discoverMigrations(sources).filter((d) => d.tier === 'basic' && d.id !== 'extra/basic/0003_extra_optional');
    expect(manifest.migrations.map((m) => m.id)).toEqual(expected.map((d) => d.id));
    expect(expected.findIndex((d) => d.id.startsWith('extra/'))).toBeGreaterThan(expected.findLastIndex((d) => d.id.startsWith('core/')));
    for (const [index, m] of manifest.migrations.entries()) {
      const definition = expected[index]!;
      expect(m).toMatchObject({ package: definition.source.packageName, package_version: definition.source.version, tier: 'basic' });
      for (const dialect of BUNDLE_DIALECTS) expect(m.checksums[dialect]).toBe(loadMigration(definition, dialect)?.checksum);
    }
    expect(manifest).toMatchObject({ bundle: '2026_q4', quarter: '2026-Q4', created_at: '2026-12-15T09:00:00.000Z', previous_bundle: null, note: 'Test bundle.' });
    expect(manifest.packages).toEqual([
      { package: '@market-spine/core', source: 'core', version: sources[1]!.version },
      { package: '@fixture/extra', source: 'extra', version: '3.1.0' },
    ]);
    const files = readFiles(built.directory);
    for (const name of Object.values(BUNDLE_SQL_FILES)) expect(manifest.files[name]).toBe(sha256Hex(files[name]!));
    expect(manifest.checksum).toBe(bundleChecksum(manifest));
    expect(files['sqlite.sql']).toContain("'bundle 2026_q4 is already applied'");

    const verified = await verifyBundle(built.directory, sources);
    expect(verified.checks.map((c) => [c.name, c.status])).toEqual([
      ['manifest', 'ok'],
      ['files', 'ok'],
      ['checksum', 'ok'],
      ['sources', 'ok'],
      ['previous', 'ok'],
      ['rebuild', 'ok'],
    ]);
    expect(verified.status).toBe('ok');
  });

  it('rebuilds byte for byte from its manifest; --force with the same created_at writes the same bytes', async () => {
    const { options, sources } = setup();
    const built = await buildBundle(options('2026-Q4'));
    const before = readFiles(built.directory);
    const rendered = await renderBundle(sources, bundleSpecFromManifest(readBundleManifest(built.directory)));
    expect(rendered.files).toEqual(before);

    const again = await buildBundle(options('2026_q4', { force: true }));
    expect(again.replaced).toBe(true);
    expect(readFiles(again.directory)).toEqual(before);
  });

  it('refuses an existing quarter without --force, a quarter before the newest, and a quarter with nothing new', async () => {
    const { options } = setup();
    await buildBundle(options('2026-Q4'));
    await expect(buildBundle(options('2026-Q4'))).rejects.toMatchObject({ code: ErrorCode.BUNDLE_BUILD_REFUSED, message: expect.stringContaining('already exists') });
    await expect(buildBundle(options('2026-Q3'))).rejects.toMatchObject({ code: ErrorCode.BUNDLE_BUILD_REFUSED, message: expect.stringContaining('2026_q4') });
    await expect(buildBundle(options('2027-Q1'))).rejects.toMatchObject({ code: ErrorCode.BUNDLE_BUILD_REFUSED, message: expect.stringContaining('No migration is new since bundle 2026_q4') });
    await expect(buildBundle(options('2027-Q5'))).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('builds the next quarter from what is new, requiring the previous bundle per dialect', async () => {
    const { options, sources, bundles } = setup();
    const first = await buildBundle(options('2026-Q4'));
    const second = await buildBundle(options('2027-Q1', { tier: 'intermediate' }));
    const firstIds = new Set(first.manifest.migrations.map((m) => m.id));
    expect(second.manifest.migrations.length).toBeGreaterThan(0);
    expect(second.manifest.migrations.every((m) => m.tier === 'intermediate' && !firstIds.has(m.id))).toBe(true);
    expect(second.manifest.migrations.map((m) => m.id)).toContain('extra/intermediate/0001_extra_more');
    expect(second.manifest.previous_bundle).toBe('2026_q4');
    for (const dialect of BUNDLE_DIALECTS) {
      expect(second.manifest.requires[dialect]).toEqual(first.manifest.migrations.filter((m) => m.checksums[dialect] !== null).map((m) => m.id));
    }
    // PostgreSQL-only migrations (no portable or DB2 script) have no SQLite or DB2 checksum.
    const pgOnly = second.manifest.migrations.filter((m) => m.checksums.sqlite === null);
    expect(pgOnly.every((m) => m.checksums.postgres !== null && m.checksums.db2 === null)).toBe(true);
    expect(readFileSync(join(second.directory, 'sqlite.sql'), 'utf8')).toContain("'bundle 2027_q1 needs bundle 2026_q4, which is not applied'");
    expect((await verifyBundle(second.directory, sources)).status).toBe('ok');
    expect(bundles).toBe(join(second.directory, '..'));
  });

  it('refuses a new migration numbered below one an earlier bundle holds', async () => {
    const { options, sources } = setup();
    await buildBundle(options('2026-Q4'));
    const extra = sources[0]!;
    for (const [path, text] of Object.entries(migrationFiles('basic', '0000_extra_early', 'CREATE TABLE extra_early (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE extra_early'))) {
      writeFileSync(join(extra.directory, path), text);
    }
    await expect(buildBundle(options('2027-Q1'))).rejects.toMatchObject({
      code: ErrorCode.BUNDLE_BUILD_REFUSED,
      message: expect.stringContaining('extra/basic/0000_extra_early is numbered below extra/basic/0002_extra_notes, which bundle 2026_q4 already holds'),
    });
  });

  it('writes db2.sql for the DB2 CLP: the ledger DDL in the first bundle only, the guards marked db2-only, a ledger row per migration', async () => {
    const { options } = setup();
    const first = await buildBundle(options('2026-Q4'));
    const second = await buildBundle(options('2027-Q1', { tier: 'intermediate' }));
    for (const built of [first, second]) {
      const statements = splitDb2Statements(readFileSync(join(built.directory, 'db2.sql'), 'utf8'), 'db2.sql');
      const isFirst = built === first;
      expect(statements.filter((s) => s.text.startsWith('CREATE TABLE SPINE_MIGRATION'))).toHaveLength(isFirst ? DB2_LEDGER_DDL.length : 0);
      const guards = statements.filter((s) => s.text.startsWith('VALUES CASE WHEN'));
      expect(guards.map((g) => g.db2Only !== null && g.text.includes('RAISE_ERROR'))).toEqual(isFirst ? [true] : [true, true]);
      const db2Migrations = built.manifest.migrations.filter((m) => m.checksums.db2 !== null);
      expect(statements.filter((s) => s.text.startsWith('INSERT INTO SPINE_MIGRATIONS'))).toHaveLength(db2Migrations.length);
      expect(statements.at(-1)?.text).toBe('COMMIT');
    }
    expect(readFileSync(join(second.directory, 'db2.sql'), 'utf8')).toContain(`-- ${DB2_ONLY_MARKER} RAISE_ERROR refuses the bundle`);
  });

  it('refuses a migration a bundle cannot carry: a SQLite table rebuild, or no DB2 script', async () => {
    const root = tempDir('spine-bundle-');
    const rebuild = fixtureSource('rebuild', migrationFiles('basic', '0001_rebuilt', 'CREATE TABLE rebuilt (id INTEGER NOT NULL PRIMARY KEY)', 'DROP TABLE rebuilt', '-- spine:rebuild rebuilt\n'), { root });
    const options = { bundlesDirectory: join(root, 'migrations'), quarter: '2026-Q4', tier: 'basic' as const, note: '' };
    await expect(buildBundle({ ...options, sources: [rebuild] })).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED, message: expect.stringContaining('rebuild/basic/0001_rebuilt rebuilds table rebuilt') });
    const portableOnly = fixtureSource('portable', { 'basic/0001_only.sql': 'CREATE TABLE only_sqlite (id INTEGER)\n' }, { root });
    await expect(buildBundle({ ...options, sources: [portableOnly] })).rejects.toMatchObject({ code: ErrorCode.MIGRATION_BAD_FILE, message: expect.stringContaining('portable/basic/0001_only has no DB2 script') });
  });
});

describe('verifyBundle', () => {
  const cases: { name: string; tamper: (directory: string, manifest: BundleManifest, extra: MigrationSource) => void; expect: Record<string, RegExp> }[] = [
    {
      name: 'an edited SQL file',
      tamper: (directory) => writeFileSync(join(directory, 'sqlite.sql'), readFileSync(join(directory, 'sqlite.sql'), 'utf8').replace('CREATE TABLE extra_items', 'CREATE TABLE extra_itemz')),
      expect: { files: /^sqlite\.sql: sha256 /, rebuild: /^sqlite\.sql: differs from the rebuild from the sources from line \d+/ },
    },
    {
      name: "a migration's checksum in the manifest",
      tamper: (directory, manifest) => {
        const migrations = manifest.migrations.map((m) => (m.id === 'extra/basic/0002_extra_notes' ? { ...m, checksums: { ...m.checksums, postgres: '0'.repeat(64) } } : m));
        writeFileSync(join(directory, 'manifest.json'), JSON.stringify({ ...manifest, migrations }, null, 2));
      },
      expect: { checksum: /^checksum: /, sources: /^extra\/basic\/0002_extra_notes: postgres checksum 000000000000… in the manifest/ },
    },
    {
      name: "a package's script edited after the build",
      tamper: (_directory, _manifest, extra) => writeFileSync(join(extra.directory, 'basic/0001_extra_items.db2.sql'), 'CREATE TABLE extra_items (id BIGINT NOT NULL PRIMARY KEY)\n'),
      expect: { sources: /^extra\/basic\/0001_extra_items: db2 checksum / },
    },
    {
      name: 'a missing SQL file',
      tamper: (directory) => renameSync(join(directory, 'db2.sql'), join(directory, 'db2.sql.bak')),
      expect: { files: /^db2\.sql: missing$/ },
    },
    {
      name: 'a manifest that is not JSON',
      tamper: (directory) => writeFileSync(join(directory, 'manifest.json'), '{ "format": '),
      expect: { manifest: /manifest\.json: / },
    },
  ];

  for (const c of cases) {
    it(`fails naming ${c.name}`, async () => {
      const { options, sources } = setup();
      const built = await buildBundle(options('2026-Q4'));
      c.tamper(built.directory, built.manifest, sources[0]!);
      const result = await verifyBundle(built.directory, sources);
      expect(result.status).toBe('failed');
      const problems = failed(result);
      expect(Object.keys(problems).sort()).toEqual(Object.keys(c.expect).sort());
      for (const [check, pattern] of Object.entries(c.expect)) expect(problems[check]?.[0]).toMatch(pattern);
    });
  }

  it("fails naming a requirement that is not the previous bundle's migrations", async () => {
    const { options, sources } = setup();
    await buildBundle(options('2026-Q4'));
    const second = await buildBundle(options('2027-Q1', { tier: 'intermediate' }));
    const manifest = { ...second.manifest, requires: { ...second.manifest.requires, sqlite: second.manifest.requires.sqlite.slice(1) } };
    writeFileSync(join(second.directory, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const problems = failed(await verifyBundle(second.directory, sources));
    expect(problems.previous).toEqual([expect.stringMatching(/^requires\.sqlite: \d+ migration\(s\) in the manifest, bundle 2026_q4 has \d+ for sqlite$/)]);
    expect(problems.rebuild).toContainEqual(expect.stringMatching(/^sqlite\.sql: differs from the rebuild from the sources from line \d+$/));
  });
});
