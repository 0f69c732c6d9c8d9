import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SAMPLE_API_FILE } from '@market-spine/domains-finra';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { spine, tempCwd } from '../test-support/cli.js';
import type { CliRun } from '../test-support/cli.js';

/*
 * Figures of the bundled real API file (AAPL and BRK.B, 248 weeks each), as
 * computed with jq in packages/spine-domains-finra/src/pipeline/api-run.test.ts:
 * AAPL's last week (ending 2026-09-04) has 32,289,436 shares, a six-week average
 * of 36,487,857 and a trend of -46.53 %.
 */
describe('spine finra ingest-api', () => {
  const cwd = tempCwd();
  let first: CliRun;

  beforeAll(async () => {
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(ExitCode.OK);
    first = await spine(cwd, 'finra', 'ingest-api', SAMPLE_API_FILE);
  });

  it('loads the real API file and prints what it holds, with the latest rolling figures per symbol', () => {
    expect(first.code).toBe(ExitCode.OK);
    expect(first.stdout).toContain(`FINRA Query API: ${SAMPLE_API_FILE} — loaded (batch `);
    expect(first.stdout).toContain('Records 496 = accepted 496 + rejected 0; 248 week(s) ending 2021-12-10 … 2026-09-04 of 2 symbol(s) (NMS_TIER_1); 14 revised by FINRA after first publication.');
    const aapl = first.stdout.split('\n').find((line) => line.includes(' AAPL '));
    expect(aapl?.split('│').map((cell) => cell.trim()).filter(Boolean)).toEqual(['AAPL', 'NMS_TIER_1', '2026-09-04', '32,289,436', '36,487,857', 'DOWN -46.53 %', '6']);
  });

  it('writes symbol totals only, never venue rows', () => {
    const db = new Database(join(cwd, 'spine.db'), { readonly: true });
    try {
      const n = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect(n('finra_otc_transparency_weekly_symbol_total')).toBe(496);
      expect(n('finra_otc_transparency_symbol_total_rolling_6w')).toBe(496);
      expect(n('finra_otc_transparency_weekly_symbol_venue_volume')).toBe(0);
      expect(n('finra_otc_transparency_symbol_summary')).toBe(0);
    } finally {
      db.close();
    }
  });

  it('is idempotent: the same file again is unchanged and exits 0', async () => {
    const again = await spine(cwd, 'finra', 'ingest-api', SAMPLE_API_FILE, '--json');
    expect(again.code).toBe(ExitCode.OK);
    const results = JSON.parse(again.stdout) as { status: string; batchId: string | null; source: { records: number } }[];
    expect(results.map((r) => [r.status, r.batchId, r.source.records])).toEqual([['unchanged', null, 496]]);
  });

  it('exits 2 with the error code for a file that is missing or not an API file', async () => {
    const missing = await spine(cwd, 'finra', 'ingest-api', join(cwd, 'nope.json'));
    expect(missing.code).toBe(ExitCode.USAGE);
    expect(missing.stderr).toContain('[INPUT_NOT_FOUND]');
    const notApi = await spine(cwd, 'finra', 'ingest-api', join(cwd, 'spine.db'));
    expect(notApi.code).toBe(ExitCode.USAGE);
    expect(notApi.stderr).toContain('[INPUT_UNKNOWN_FORMAT]');
  });
});
