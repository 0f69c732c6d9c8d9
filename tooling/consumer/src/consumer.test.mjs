import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The published packages as a user gets them: `pnpm pack` of every package
 * (workspace:^ ranges become real versions), `npm install` of the tarballs
 * into an empty project outside the workspace (no workspace links), then a
 * script that migrates a SQLite database with the migrations shipped in the
 * tarballs, loads one real bundled sample and reads symbol_summary_latest.
 *
 * npm fetches the packages' own dependencies from the registry with
 * --prefer-offline: from its cache when it has them, over the network on a
 * fresh machine (an empty cache must not fail, so no --offline).
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

/** Week ending 2025-11-14, OTC (published 2025-12-15); figures as in packages/spine-domains-finra/src/pipeline/run.test.ts. */
const SAMPLE = 'finra_otc_weekly_otc_20251215.csv';
const EXPECTED_PACKAGES = ['@market-spine/cli', '@market-spine/core', '@market-spine/domains-finra', '@market-spine/domains-risk', '@market-spine/quality'];

/** Every package of packages/ that is published (not private), with its workspace folder. */
const packages = readdirSync(join(repo, 'packages'))
  .map((dir) => ({ dir: join(repo, 'packages', dir), manifest: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter((p) => p.manifest.private !== true)
  .map((p) => ({ ...p, name: p.manifest.name, version: p.manifest.version }));

/**
 * The environment of the installed project: this run's own, less the `npm_*`
 * variables pnpm set for the workspace's scripts, but with the registry,
 * cache, network and native-build (nodedir) settings a machine may give npm
 * through them.
 */
const NPM_SETTINGS = /^npm_config_(registry|cache|userconfig|cafile|proxy|https_proxy|noproxy|strict_ssl|nodedir)$/i;
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^p?npm_/i.test(key) || NPM_SETTINGS.test(key)));

function run(command, args, cwd, env = userEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** Files below `dir`, as paths relative to it with `/` separators. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Conditions and targets of an `exports` map, depth first. */
function exportEntries(exports) {
  if (typeof exports === 'string') return [{ condition: null, target: exports }];
  return Object.entries(exports).flatMap(([key, value]) => exportEntries(value).map((e) => ({ condition: e.condition ?? key, target: e.target })));
}

describe('the packed packages installed with npm into an empty project outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'spine-consumer-'));
  const tarballDir = join(work, 'tarballs');
  const project = join(work, 'project');
  /** Per package: tarball path, its entries (without the `package/` prefix), its packed package.json and the workspace's migrations/ and samples/ files. */
  const packed = new Map();
  let output;

  beforeAll(() => {
    expect(relative(repo, work).startsWith('..')).toBe(true);
    mkdirSync(tarballDir);
    for (const p of packages) {
      // The folders the tarball must hold whole, listed as they are packed.
      const folders = Object.fromEntries(['migrations', 'samples'].filter((f) => existsSync(join(p.dir, f))).map((f) => [f, filesUnder(join(p.dir, f)).map((file) => `${f}/${file}`)]));
      const before = new Set(readdirSync(tarballDir));
      run('pnpm', ['pack', '--pack-destination', tarballDir], p.dir, process.env);
      const [file] = readdirSync(tarballDir).filter((f) => !before.has(f));
      const tarball = join(tarballDir, file);
      const entries = run('tar', ['-tzf', tarball], work)
        .split('\n')
        .filter(Boolean)
        .map((e) => e.replace(/^package\//, ''));
      const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work));
      packed.set(p.name, { tarball, entries, manifest, folders });
    }

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'spine-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
    const typesNode = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies['@types/node'];
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...[...packed.values()].map((p) => p.tarball), `@types/node@${typesNode}`], project);

    copyFileSync(join(here, 'consumer-script.mjs'), join(project, 'consumer-script.mjs'));
    output = JSON.parse(run(process.execPath, ['consumer-script.mjs', 'spine.db', SAMPLE], project));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs every published package', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(EXPECTED_PACKAGES);
  });

  it('ships dist/ with declarations, the exports map and the migrations, and no sources or tests', () => {
    for (const p of packages) {
      const { entries, manifest, folders } = packed.get(p.name);
      const files = new Set(entries);
      const dist = entries.filter((e) => e.startsWith('dist/'));
      expect(dist, p.name).toContain('dist/index.js');
      expect(dist, p.name).toContain('dist/index.d.ts');
      for (const js of dist.filter((e) => e.endsWith('.js'))) expect(files.has(js.replace(/\.js$/, '.d.ts')), `${p.name}: declarations of ${js}`).toBe(true);
      expect(entries.filter((e) => e.startsWith('src/') || /\.test\.|(^|\/)test-support\//.test(e)), p.name).toEqual([]);

      expect(manifest.exports['.'], p.name).toBeDefined();
      // The workspace-only `source` condition (vitest resolves src/ through it) is replaced by publishConfig.exports at pack time.
      const exported = exportEntries(manifest.exports);
      expect(exported.filter((e) => e.condition === 'source'), p.name).toEqual([]);
      for (const { target } of exported) expect(files.has(target.replace(/^\.\//, '')), `${p.name} exports ${target}`).toBe(true);
      expect(JSON.stringify(manifest), p.name).not.toContain('workspace:');
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        const sibling = packages.find((s) => s.name === dep);
        if (sibling) expect(range, `${p.name} → ${dep}`).toBe(`^${sibling.version}`);
      }

      for (const [folder, files] of Object.entries(folders)) {
        expect(files.length, `${p.name} ${folder}/`).toBeGreaterThan(0);
        expect(entries.filter((e) => e.startsWith(`${folder}/`)).sort(), `${p.name} ${folder}/`).toEqual(files);
      }
    }
    expect(packed.get('@market-spine/core').entries.some((e) => /^migrations\/basic\/\d{4}_.+\.sql$/.test(e))).toBe(true);
    expect(packed.get('@market-spine/cli').manifest.bin).toEqual({ spine: './dist/bin.js' });
  });

  it('installs real copies, not workspace links, and resolves every entry point inside the project', () => {
    const modules = join(project, 'node_modules');
    for (const p of packages) {
      const installed = join(modules, ...p.name.split('/'));
      expect(lstatSync(installed).isSymbolicLink(), p.name).toBe(false);
      expect(realpathSync(installed).startsWith(modules + sep), p.name).toBe(true);
      expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toBe(p.version);
    }
    expect(Object.keys(output.resolved)).toHaveLength(7);
    for (const [name, file] of Object.entries(output.resolved)) {
      expect(file.startsWith(modules + sep), name).toBe(true);
      expect(file, name).toMatch(/[/\\]dist[/\\][^/\\]+\.js$/);
      expect(output.exportCounts[name], name).toBeGreaterThan(0);
    }
  });

  it('finds the migrations inside the installed packages, applies them and records them', () => {
    const modules = join(project, 'node_modules');
    expect(output.sources.map((s) => ({ ...s, directory: resolve(s.directory) }))).toEqual(
      ['core', 'domains-finra', 'domains-risk'].map((name) => {
        const packageName = `@market-spine/${name}`;
        return { name, packageName, version: packages.find((p) => p.name === packageName).version, directory: join(modules, '@market-spine', name, 'migrations') };
      }),
    );
    expect(filesUnder(output.sources[2].directory).length).toBeGreaterThan(0);
    // Compared with what the installed packages select, not with a number: the packages gain migrations.
    const ids = output.selected.map((m) => m.id);
    expect(ids.some((id) => id.startsWith('core/')) && ids.some((id) => id.startsWith('domains-finra/'))).toBe(true);
    for (const m of output.selected) expect(m.path.startsWith(join(modules, '@market-spine') + sep), m.id).toBe(true);
    expect(output.migrate).toEqual({ status: 'ok', applied: ids });
    expect(output.ledger.map((row) => row.id)).toEqual(ids);
    expect(output.ledger.every((row) => row.success === 1)).toBe(true);
    expect(new Set(output.ledger.map((row) => `${row.package}@${row.version}`))).toEqual(
      new Set(['@market-spine/core', '@market-spine/domains-finra'].map((name) => `${name}@${packages.find((p) => p.name === name).version}`)),
    );
  });

  it('loads the bundled 2025-11-14 OTC sample and reads symbol_summary_latest', () => {
    expect(output.sample).toBe(join(project, 'node_modules', '@market-spine', 'domains-finra', 'samples', SAMPLE));
    expect(output.pipeline).toEqual({
      status: 'ok',
      files: [{ file: SAMPLE, status: 'loaded', lines: 5328 }],
      partitions: [{ weekEnding: '2025-11-14', tier: 'OTC', status: 'complete', stageReached: 'SNAPSHOT', lines: 5328, accepted: 5328, rejected: 0 }],
    });
    expect(output.symbolSummaryLatest.perWeek).toEqual([{ week_ending: '2025-11-14', tier: 'OTC', symbols: 3111, total_volume: 1335995901 }]);
    expect(output.symbolSummaryLatest.AABB).toEqual([{ symbol: 'AABB', week_ending: '2025-11-14', tier: 'OTC', total_volume: 6794184, total_trades: 174, venue_count: 2 }]);
  });

  it('runs the installed `spine` command: --version and `db status --json` with every selected migration applied', () => {
    const cli = packages.find((p) => p.name === '@market-spine/cli');
    expect(run('npx', ['--no', '--', 'spine', '--version'], project).trim()).toBe(cli.version);
    const status = JSON.parse(run('npx', ['--no', '--', 'spine', '--db', 'spine.db', 'db', 'status', '--json'], project));
    expect(status.location).toBe(join(realpathSync(project), 'spine.db'));
    expect(status.entries.map((e) => [e.id, e.state])).toEqual(output.selected.map((m) => [m.id, 'applied']));
    expect(status.counts).toMatchObject({ applied: output.selected.length, pending: 0, changed: 0, missing: 0, future: 0 });
  });

  it('type-checks a consumer of the typed read API against the shipped declarations', () => {
    copyFileSync(join(here, 'consumer-types.ts'), join(project, 'consumer-types.ts'));
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer-types.ts'] }));
    const tsc = join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, env: userEnv, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
