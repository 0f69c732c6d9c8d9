import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_DIR } from '@market-spine/domains-finra';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { spine, tempCwd } from '../test-support/cli.js';

/*
 * A revision derived from the first five rows of the bundled sample published
 * 2025-12-15 (week ending 2025-11-14): FINRA republishes AABB at OTCN with
 * 6,800,000 shares and 175 trades (6,753,871 and 171 before), dated
 * 2025-12-22. AABB's week: 6,794,184 shares (OTCN + OTCX 40,313) before,
 * 6,840,313 after. The domain tests cover every kind of change on both dialects.
 */
function writeFiles(cwd: string): { original: string; revision: string } {
  const [header = '', ...rows] = readFileSync(join(SAMPLES_DIR, 'finra_otc_weekly_otc_20251215.csv'), 'utf8').split('\n');
  const first = rows.slice(0, 5);
  const revised = first.map((line) => line.replace('|OTCN|6753871|171|2025-12-15', '|OTCN|6800000|175|2025-12-22'));
  expect(revised).not.toEqual(first);
  const files = { original: join(cwd, 'original.csv'), revision: join(cwd, 'revised.csv') };
  writeFileSync(files.original, `${[header, ...first].join('\n')}\n`);
  writeFileSync(files.revision, `${[header, ...revised].join('\n')}\n`);
  return files;
}

describe('spine finra captures, diff and symbol --as-of', () => {
  const cwd = tempCwd();
  let originalAt: string;

  beforeAll(async () => {
    const files = writeFiles(cwd);
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
    expect((await spine(cwd, 'finra', 'run', files.original)).code).toBe(0);
    const single = await spine(cwd, 'finra', 'diff', '--week', '2025-11-14', '--tier', 'otc');
    expect(single.code).toBe(ExitCode.USAGE);
    expect(single.stderr).toContain('2025-11-14 OTC has 1 capture(s) with venue rows; a diff needs two.');
    expect((await spine(cwd, 'finra', 'run', files.revision)).code).toBe(0);
  });

  it('lists the captures of a week, newest first', async () => {
    const run = await spine(cwd, 'finra', 'captures', '--week', '2025-11-14', '--tier', 'otc', '--json');
    expect(run.code).toBe(ExitCode.OK);
    const { captures } = JSON.parse(run.stdout) as { captures: { capturedAt: string; sourceLastUpdateDate: string; venueRows: number }[] };
    expect(captures.map((c) => [c.sourceLastUpdateDate, c.venueRows])).toEqual([
      ['2025-12-22', 5],
      ['2025-12-15', 5],
    ]);
    originalAt = captures[1]?.capturedAt ?? '';
    const text = await spine(cwd, 'finra', 'captures', '--week', '2025-11-14', '--tier', 'otc');
    expect(text.stdout).toMatch(/│ cap_\w+ +│ \S+Z +│ 2025-12-22 +│ SNAPSHOT │ +5 │ .*revised\.csv/);
  });

  it('diffs the two newest captures: the changed row with old → new shares and trades', async () => {
    const run = await spine(cwd, 'finra', 'diff', '--week', '2025-11-14', '--tier', 'otc');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toMatch(/^FINRA OTC transparency 2025-11-14 OTC: cap_\w+ \(captured \S+, lastUpdateDate 2025-12-15\) → cap_\w+ \(captured \S+, lastUpdateDate 2025-12-22\)\n/);
    expect(run.stdout).toContain('1 changed, 0 added, 0 removed, 4 unchanged venue rows (shares and trades compared).');
    expect(run.stdout).toMatch(/│ changed │ AABB +│ OTCN │ 6,753,871 → 6,800,000 │ 171 → 175 +│/);
    const json = JSON.parse((await spine(cwd, 'finra', 'diff', '--week', '2025-11-14', '--tier', 'otc', '--json')).stdout) as { status: string; changed: unknown[] };
    expect(json).toMatchObject({ status: 'ok', changed: [{ symbol: 'AABB', mpid: 'OTCN', totalVolume: { old: 6753871, new: 6800000 }, tradeCount: { old: 171, new: 175 } }] });
    const unknown = await spine(cwd, 'finra', 'diff', '--week', '2025-11-14', '--tier', 'otc', '--from', 'cap_nope');
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toContain('cap_nope is not a capture of 2025-11-14 OTC with venue rows (normalized); pick one of those below.');
  });

  it('answers `finra symbol --as-of` with what was known then, and latest without it', async () => {
    const asOf = JSON.parse((await spine(cwd, 'finra', 'symbol', 'AABB', '--as-of', originalAt, '--json')).stdout) as { asOf: string; weeks: { totalVolume: number; capturedAt: string }[] };
    expect(asOf).toMatchObject({ asOf: originalAt, weeks: [{ totalVolume: 6794184, capturedAt: originalAt }] });
    const latest = JSON.parse((await spine(cwd, 'finra', 'symbol', 'AABB', '--json')).stdout) as { weeks: { totalVolume: number }[] };
    expect(latest.weeks.map((w) => w.totalVolume)).toEqual([6840313]);
    const text = await spine(cwd, 'finra', 'symbol', 'AABB', '--as-of', originalAt);
    expect(text.stdout).toContain(`As of ${originalAt}: each week from its newest capture at or before that instant.`);
    expect(text.stdout).toMatch(/│ 2025-11-14 +│ OTC +│ +6,794,184 │/);
    const before = await spine(cwd, 'finra', 'symbol', 'AABB', '--as-of', '2020-01-01T00:00:00Z');
    expect(before.stdout).toBe('No data for symbol "AABB" as of 2020-01-01T00:00:00.000Z.\n');
  });

  it('refuses an as-of instant without a time zone, saying what to give', async () => {
    const run = await spine(cwd, 'finra', 'symbol', 'AABB', '--as-of', '2025-12-20');
    expect(run.code).toBe(ExitCode.USAGE);
    expect(run.stderr).toContain('Invalid as-of instant "2025-12-20"');
    expect(run.stderr).toContain('[INVALID_ARGUMENT]');
  });
});
