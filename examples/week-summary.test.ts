import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import { finraMigrationSource, runPipeline, sampleFiles } from '@market-spine/domains-finra';
import type { FinraTables } from '@market-spine/domains-finra';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
/** tsx's command-line entry, run with this Node (no shell, no PATH lookup). */
const tsxCli = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');

/** This environment without SPINE_DB: each test names the database itself. */
const { SPINE_DB: _ignored, ...baseEnv } = process.env;

function weekSummaryWith(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [tsxCli, join(here, 'week-summary.ts'), ...args], { cwd, encoding: 'utf8', env: { ...baseEnv, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const weekSummary = (cwd: string, ...args: string[]) => weekSummaryWith({}, cwd, ...args);

/*
 * Figures: packages/spine-domains-finra/src/pipeline/run.test.ts (computed
 * independently from the sample files).
 */
describe('examples/week-summary.ts on the three real OTC samples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spine-examples-'));
  const dbPath = join(dir, 'spine.db');

  beforeAll(async () => {
    const db = await openSpineDb<FinraTables>(dbPath);
    try {
      const migrated = await new Migrator(db, { sources: [coreMigrationSource(), finraMigrationSource()] }).migrate();
      expect(migrated.status).toBe('ok');
      expect((await runPipeline(db, sampleFiles())).status).toBe('ok');
    } finally {
      await db.close();
    }
  });

  it('prints weeks, top venues, a symbol’s venue shares and HHI, and writes the week as CSV', () => {
    const csvPath = join(dir, 'aabb.csv');
    const before = statSync(dbPath).mtimeMs;
    const run = weekSummary(dir, dbPath, '2025-11-14', 'OTC', 'AABB', csvPath);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2025-11-28 OTC\s+SNAPSHOT\s+2,714 symbols\s+997,402,635 shares\s+quality WARN/);
    expect(run.stdout).toMatch(/2025-11-14 OTC\s+SNAPSHOT\s+3,111 symbols\s+1,335,995,901 shares/);
    expect(run.stdout).toMatch(/ 1\. OTCN\s+82\.19 %\s+1,098,033,568 shares/);
    expect(run.stdout).toMatch(/ 2\. OTCX\s+14\.42 %/);
    expect(run.stdout).toContain('AABB, 2025-11-14 OTC: 6,794,184 shares on 2 venue(s), HHI 0.9882');
    // OTCN holds 6,753,871 of AABB's 6,794,184 shares.
    expect(run.stdout).toMatch(/OTCN\s+99\.41 %\s+6,753,871 shares/);
    expect(run.stdout).toContain('Σ share² = 0.9882');
    expect(run.stdout).toContain(`Wrote 3,111 symbols to ${csvPath}`);
    expect(statSync(dbPath).mtimeMs).toBe(before);

    const text = readFileSync(csvPath, 'utf8');
    expect(text.split('\n')[0]).toBe('week_ending,tier,symbol,issue_name,total_volume,total_trades,venue_count,top_venue_mpid,top_venue_share_pct,hhi,avg_trade_size');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3111);
    expect(rows.reduce((sum, r) => sum + Number(r.total_volume), 0)).toBe(1335995901);
    const aabb = rows.find((r) => r.symbol === 'AABB');
    expect(aabb).toMatchObject({ week_ending: '2025-11-14', tier: 'OTC', total_volume: '6794184', total_trades: '174', venue_count: '2', top_venue_mpid: 'OTCN' });
    expect(Number(aabb?.hhi)).toBeCloseTo(0.9882034974208129, 12);
    // ARCA has 12746 of AACAY's 25955 shares; 25955 / 138 trades = 188.08 shares per trade.
    expect(rows.find((r) => r.symbol === 'AACAY')).toMatchObject({ total_volume: '25955', venue_count: '3', top_venue_mpid: 'ARCA', top_venue_share_pct: '49.1081', avg_trade_size: '188.08' });
    expect(Number(rows.find((r) => r.symbol === 'AACAY')?.hhi)).toBeCloseTo(0.41718070867954893, 12);
    // Issue names with commas and quotes survive the round trip.
    const quoted = rows.filter((r) => (r.issue_name ?? '').includes(','));
    expect(quoted.length).toBeGreaterThan(0);
    expect(text).toContain(`"${quoted[0]?.issue_name?.replaceAll('"', '""')}"`);
  });

  it('defaults to $SPINE_DB, the newest week, its most traded symbol and a CSV in the working folder', () => {
    const run = weekSummaryWith({ SPINE_DB: dbPath }, dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Top venues by market share, 2025-11-28 OTC:');
    expect(run.stdout).toMatch(/ 1\. OTCN\s+79\.84 %/);
    const rows = parse(readFileSync(join(dir, 'week-summary_2025-11-28_OTC.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2714);
    expect(run.stdout).toContain(`${rows[0]?.symbol}, 2025-11-28 OTC: `);
  });

  it('says what is wrong for a missing database or an unknown week', () => {
    const missing = weekSummary(dir, join(dir, 'nope.db'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.db');
    const unknown = weekSummary(dir, dbPath, '2025-11-07', 'OTC');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No venue data for 2025-11-07 OTC; loaded: 2025-11-28 OTC, 2025-11-21 OTC, 2025-11-14 OTC.');
  });
});
