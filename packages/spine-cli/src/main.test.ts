import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { spine, tables } from './test-support/cli.js';
import type { CliRun } from './test-support/cli.js';
import { SAMPLES_DIR } from '@market-spine/domains-finra';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { CLI_VERSION } from './main.js';

describe('spine CLI end to end on the bundled samples', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'spine-cli-'));
  const dbPath = join(cwd, 'spine.db');
  let firstRun: CliRun;

  beforeAll(async () => {
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
    firstRun = await spine(cwd, 'finra', 'run', SAMPLES_DIR);
  });

  it('reports status without creating a database that does not exist', async () => {
    const other = mkdtempSync(join(tmpdir(), 'spine-cli-'));
    const run = await spine(other, 'db', 'status', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { exists: boolean; counts: Record<string, number> };
    expect(report).toMatchObject({ exists: false, counts: { pending: 16, applied: 0 } });
    expect(existsSync(join(other, 'spine.db'))).toBe(false);
  });

  it('migrates ./spine.db and runs the pipeline with a summary', async () => {
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toContain('3 file(s) — 3 loaded, 0 unchanged');
    expect(firstRun.stdout).toContain('Weeks: 3; lines 15,175 = accepted 15,174 + rejected 1.');
    expect(firstRun.stdout).toContain('INVALID_SYMBOL 1');
    expect(firstRun.stdout).toContain('2025-11-14 OTC: OTCN 82.19 %, OTCX 14.42 %, ARCA 3.07 %');
    const status = JSON.parse((await spine(cwd, 'db', 'status', '--json')).stdout) as { counts: Record<string, number> };
    expect(status.counts).toMatchObject({ applied: 16, pending: 0 });
  });

  it('is idempotent: a second run loads nothing and exits 0', async () => {
    const again = await spine(cwd, 'finra', 'run', SAMPLES_DIR, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged', batchId: null });
  });

  it('answers the read commands as tables and as JSON', async () => {
    const weeks = JSON.parse((await spine(cwd, 'finra', 'weeks', '--json')).stdout) as { weekEnding: string; symbols: number }[];
    expect(weeks.map((w) => [w.weekEnding, w.symbols])).toEqual([
      ['2025-11-28', 2714],
      ['2025-11-21', 2985],
      ['2025-11-14', 3111],
    ]);
    const symbol = JSON.parse((await spine(cwd, 'finra', 'symbol', 'AABB', '--json')).stdout) as { weeks: { totalVolume: number }[] };
    expect(symbol.weeks.map((w) => w.totalVolume)).toEqual([6794184, 1833194, 2985941]);
    const venues = await spine(cwd, 'finra', 'venues', '--week', '2025-11-14', '--tier', 'otc');
    expect(venues.code).toBe(0);
    expect(venues.stdout).toMatch(/│\s+1 │ OTCN .*│ 82\.19 %/);
    const quality = await spine(cwd, 'quality', 'report', '--week', '2025-11-28', '--tier', 'OTC', '--json');
    expect(quality.code).toBe(0);
    expect((JSON.parse(quality.stdout) as unknown[]).length).toBe(8);
    expect((await spine(cwd, 'finra', 'symbol', 'NOPE')).stdout).toContain('No data for symbol "NOPE".');
  });

  it('treats hostile names and values as data or refuses them, never as SQL', async () => {
    const before = tables(dbPath);
    const hostile = "AABB'; DROP TABLE finra_otc_transparency_raw; --";
    const symbol = await spine(cwd, 'finra', 'symbol', hostile, '--json');
    expect(symbol.code).toBe(0);
    expect(JSON.parse(symbol.stdout)).toEqual({ symbol: hostile, weeks: [] });
    const tier = await spine(cwd, 'finra', 'venues', '--week', '2025-11-14', '--tier', "OTC' OR '1'='1");
    expect(tier.code).toBe(ExitCode.USAGE);
    expect(tier.stderr).toContain('[INVALID_TIER]');
    const week = await spine(cwd, 'finra', 'venues', '--week', "2025-11-14' OR 1=1 --", '--tier', 'OTC');
    expect(week.code).toBe(ExitCode.USAGE);
    expect(week.stderr).toContain('[INVALID_ARGUMENT]');
    expect((await spine(cwd, 'quality', 'report', '--status', "PASS' OR 1=1 --")).code).toBe(ExitCode.USAGE);
    expect((await spine(cwd, 'db', 'migrate', '--tier', 'basic; DROP TABLE _migrations')).stderr).toContain('[INVALID_TIER]');
    expect((await spine(cwd, 'finra', 'ingest', SAMPLES_DIR, '--week-ending', '2025-11-14; DROP TABLE x')).code).toBe(ExitCode.USAGE);
    expect((await spine(cwd, 'finra', 'run', SAMPLES_DIR, '--tier', 'OTC"; DROP TABLE x; --')).code).toBe(ExitCode.USAGE);
    writeFileSync(join(cwd, 'hostile.yaml'), "database:\n  tier: \"basic'; DROP TABLE _migrations; --\"\n");
    const config = await spine(cwd, '--config', 'hostile.yaml', 'db', 'status');
    expect(config.code).toBe(ExitCode.USAGE);
    expect(config.stderr).toContain('database.tier');
    // A database path full of SQL punctuation is just a file name.
    const oddPath = join(cwd, "odd'; DROP TABLE x; --.db");
    expect((await spine(cwd, '--db', oddPath, 'db', 'migrate')).code).toBe(0);
    expect(tables(oddPath)).toContain('_migrations');
    expect(tables(dbPath)).toEqual(before);
    const raw = new Database(dbPath, { readonly: true });
    expect((raw.prepare('SELECT count(*) AS n FROM finra_otc_transparency_raw').get() as { n: number }).n).toBe(15175);
    raw.close();
  });
});

describe('spine CLI errors', () => {
  it('says what to do when the database is missing or not migrated, with exit code 3', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spine-cli-'));
    const missing = await spine(cwd, 'finra', 'weeks');
    expect(missing.code).toBe(ExitCode.DATABASE);
    expect(missing.stderr).toContain('No database at');
    expect(missing.stderr).toContain('spine db migrate');
    const unmigrated = await spine(cwd, 'finra', 'run', SAMPLES_DIR);
    expect(unmigrated.code).toBe(ExitCode.DATABASE);
    expect(unmigrated.stderr).toContain('[SCHEMA_NOT_MIGRATED]');
  });

  it('rejects bad usage and bad inputs with exit code 2', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spine-cli-'));
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
    expect((await spine(cwd, 'finra', 'run', '--no-such-option', SAMPLES_DIR)).code).toBe(ExitCode.USAGE);
    expect((await spine(cwd, 'finra', 'venues', '--week', '2025-11-14')).code).toBe(ExitCode.USAGE);
    const notFound = await spine(cwd, 'finra', 'run', join(cwd, 'nope.csv'));
    expect(notFound.code).toBe(ExitCode.USAGE);
    expect(notFound.stderr).toContain('[INPUT_NOT_FOUND]');
    writeFileSync(join(cwd, 'garbage.csv'), 'not|a|finra|file\n');
    const unknown = await spine(cwd, 'finra', 'run', join(cwd, 'garbage.csv'));
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toContain('[INPUT_UNKNOWN_FORMAT]');
    expect((await spine(cwd, 'finra', 'venues', '--week', '2025-11-15', '--tier', 'OTC')).stderr).toContain('not a Friday');
  });
});

describe('the spine executable', () => {
  it('runs as a command and sets its exit code', () => {
    const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
    const dbPath = join(mkdtempSync(join(tmpdir(), 'spine-cli-')), 'spine.db');
    // Run from the package folder, where tsx resolves; the database lives in a temp folder.
    const run = (...args: string[]) => spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', bin, ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    expect(run('--version').stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    expect(CLI_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const missing = run('--db', dbPath, 'finra', 'weeks');
    expect(missing.status).toBe(ExitCode.DATABASE);
    expect(missing.stderr).toContain('No database at');
  });

  it('keeps working and exits 0 when its reader goes away (EPIPE)', async () => {
    const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
    const dbPath = join(mkdtempSync(join(tmpdir(), 'spine-cli-')), 'spine.db');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', bin, '--db', dbPath, 'db', 'migrate'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close the read end before the first write: every write to stdout now fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
    expect(tables(dbPath)).toContain('finra_otc_transparency_research_snapshot');
  });
});
