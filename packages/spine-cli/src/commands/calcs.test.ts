import { join } from 'node:path';
import { Command } from 'commander';
import { CALCS, SAMPLES_DIR, defineCalcs } from '@market-spine/domains-finra';
import type { CalcRegistry } from '@market-spine/domains-finra';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { captureIo, execSql, spine, tempCwd } from '../test-support/cli.js';
import { registerCalcsCommands } from './calcs.js';

const ROLLING_ROWS = 3111 + 2985 + 2714;

describe('spine calcs on the bundled samples', () => {
  const cwd = tempCwd();
  const dbPath = join(cwd, 'spine.db');

  beforeAll(async () => {
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
    expect((await spine(cwd, 'finra', 'run', SAMPLES_DIR)).code).toBe(0);
  });

  it('lists the registry with versions oldest first', async () => {
    const list = await spine(cwd, 'calcs', 'list', '--json');
    expect(list.code).toBe(0);
    const calcs = JSON.parse(list.stdout) as { name: string; versions: string[]; current: string; table: string }[];
    expect(calcs.map((c) => c.name)).toEqual(Object.keys(CALCS));
    expect(calcs.find((c) => c.name === 'symbol_rolling_6w')).toMatchObject({ versions: ['v1', 'v2'], current: 'v1', table: 'finra_otc_transparency_symbol_rolling_6w' });
    expect((await spine(cwd, 'calcs', 'list')).stdout).toMatch(/symbol_rolling_6w\s+│ v1, v2\s+│ v1 /);
  });

  it('shows a calculation with its views and rows per version', async () => {
    const show = await spine(cwd, 'calcs', 'show', 'symbol_rolling_6w', '--json');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      name: 'symbol_rolling_6w',
      table: 'finra_otc_transparency_symbol_rolling_6w',
      businessKeys: ['week_ending', 'tier', 'symbol'],
      current: 'v1',
      deprecated: [],
      latestView: 'finra_otc_transparency_symbol_rolling_6w_latest',
      versions: [
        { version: 'v1', state: 'current', rows: ROLLING_ROWS, view: 'finra_otc_transparency_symbol_rolling_6w_v1_latest' },
        { version: 'v2', state: 'active', rows: ROLLING_ROWS, view: 'finra_otc_transparency_symbol_rolling_6w_v2_latest', note: expect.stringContaining('mean of the earlier loaded weeks') },
      ],
    });
    const text = await spine(cwd, 'calcs', 'show', 'symbol_rolling_6w');
    expect(text.stdout).toContain('current v1, read through finra_otc_transparency_symbol_rolling_6w_latest');
    expect(text.stdout).toMatch(/│ v2\s+│ active\s+│\s+8,810 │/);
  });

  it('shows the registry without a database, and refuses an unknown calculation', async () => {
    const empty = tempCwd();
    const show = await spine(empty, 'calcs', 'show', 'symbol_rolling_6w', '--json');
    expect(show.code).toBe(0);
    expect(show.stderr).toContain('No database at');
    expect((JSON.parse(show.stdout) as { versions: { rows: number | null }[] }).versions.map((v) => v.rows)).toEqual([null, null]);
    const unknown = await spine(cwd, 'calcs', 'show', 'nope');
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toContain('[INVALID_ARGUMENT]');
  });

  it('reads the rows of a version, the current one by default', async () => {
    const v2 = await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--calc-version', 'v2', '--week', '2025-11-28', '--tier', 'otc', '--symbol', 'VNUE', '--json');
    expect(v2.code).toBe(0);
    expect(v2.stderr).toBe('');
    expect(JSON.parse(v2.stdout)).toMatchObject({ version: 'v2', warnings: [], rows: [{ symbol: 'VNUE', trend_direction: 'UP', trend_pct: '77.95' }] });
    const current = await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--week', '2025-11-28', '--symbol', 'VNUE');
    expect(current.stdout).toContain('symbol_rolling_6w v1 (finra_otc_transparency_symbol_rolling_6w_v1_latest), 1 row(s):');
    expect(current.stdout).toMatch(/│ VNUE\s+│ 2025-11-14\s+│\s+25,176,447 │ .* │ DOWN\s+│ -10\.00 /);
    const hhi = await spine(cwd, 'calcs', 'rows', 'venue_concentration_hhi', '--week', '2025-11-14', '--symbol', 'AACAY', '--json');
    expect((JSON.parse(hhi.stdout) as { rows: { hhi: number }[] }).rows[0]?.hhi).toBeCloseTo(0.41718070867954893, 12);
  });

  it('refuses filters on columns that are not business keys and treats hostile values as data', async () => {
    const mpid = await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--mpid', 'OTCN');
    expect(mpid.code).toBe(ExitCode.USAGE);
    expect(mpid.stderr).toContain('"mpid" is not a business key of symbol_rolling_6w');
    const hostile = await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--symbol', "VNUE' OR '1'='1", '--json');
    expect(JSON.parse(hostile.stdout)).toMatchObject({ rows: [] });
    expect((await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--calc-version', 'v3')).stderr).toContain('symbol_rolling_6w has no version "v3".');
    expect((await spine(cwd, 'calcs', 'rows', 'symbol_rolling_6w', '--limit', '0')).code).toBe(ExitCode.USAGE);
  });

  /** `spine calcs <args>` with another registry than CALCS. */
  async function calcsWith(registry: CalcRegistry, ...args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
    const { io, stdout, stderr } = captureIo(cwd);
    let exit: number = ExitCode.OK;
    const program = new Command('spine').option('--db <path>').exitOverride();
    registerCalcsCommands(program, io, (code) => (exit = code), registry);
    await program.parseAsync(['calcs', ...args], { from: 'user' });
    return { exit, stdout: stdout(), stderr: stderr() };
  }

  it('prints a deprecation warning on stderr when a deprecated version is read', async () => {
    // A registry as a later release would ship it: v2 current, v1 deprecated.
    const registry = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...CALCS.symbol_rolling_6w, current: 'v2', deprecated: ['v1'] } });
    const old = await calcsWith(registry, 'rows', 'symbol_rolling_6w', '--calc-version', 'v1', '--week', '2025-11-28', '--symbol', 'VNUE', '--json');
    expect(old.exit).toBe(ExitCode.OK);
    expect(old.stderr).toBe(
      '! symbol_rolling_6w v1 is deprecated: it gets no new weeks and may be removed in a later release; read v2 (finra_otc_transparency_symbol_rolling_6w_latest) instead. [CALC_VERSION_DEPRECATED]\n',
    );
    expect(JSON.parse(old.stdout)).toMatchObject({ version: 'v1', warnings: [{ code: 'CALC_VERSION_DEPRECATED' }], rows: [{ trend_direction: 'DOWN' }] });
    expect((await calcsWith(registry, 'rows', 'symbol_rolling_6w', '--symbol', 'VNUE', '--week', '2025-11-28')).stderr).toBe('');
  });

  it('shows rows of a version the registry no longer lists as unregistered', async () => {
    const registry = defineCalcs({ ...CALCS, symbol_rolling_6w: { ...CALCS.symbol_rolling_6w, versions: ['v1'], version_notes: {} } });
    const show = await calcsWith(registry, 'show', 'symbol_rolling_6w', '--json');
    expect((JSON.parse(show.stdout) as { versions: unknown[] }).versions).toEqual([
      { version: 'v1', state: 'current', rows: ROLLING_ROWS, view: 'finra_otc_transparency_symbol_rolling_6w_v1_latest', note: null },
      { version: 'v2', state: 'unregistered', rows: ROLLING_ROWS, view: null, note: null },
    ]);
  });

  it('validates the database against the registry, and exits 1 naming what disagrees', async () => {
    const ok = await spine(cwd, 'calcs', 'validate');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Registry: valid, ${Object.keys(CALCS).length} calculations`);
    expect(ok.stdout).toContain('agrees');
    execSql(dbPath, 'DROP VIEW finra_otc_transparency_symbol_rolling_6w_v2_latest');
    const broken = await spine(cwd, 'calcs', 'validate', '--json');
    expect(broken.code).toBe(ExitCode.FAILED);
    expect(JSON.parse(broken.stdout)).toMatchObject({
      registry: { status: 'valid' },
      database: {
        status: 'invalid',
        problems: [{ calc: 'symbol_rolling_6w', object: 'finra_otc_transparency_symbol_rolling_6w_v2_latest', message: expect.stringContaining('does not exist') }],
      },
    });
    const none = await spine(tempCwd(), 'calcs', 'validate', '--json');
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ database: { status: 'absent' } });
  });
});
