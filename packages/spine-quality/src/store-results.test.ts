import { ErrorCode, startExecution } from '@market-spine/core';
import type { ExecutionContext, SpineDb, SqlExecutor } from '@market-spine/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { defineChecks } from './check-schema.js';
import { runChecks } from './run-checks.js';
import type { QualityRun } from './run-checks.js';
import { readResults, storeResults } from './store-results.js';
import { DIRTY_WEEK, openFixtureDb } from './test-support/fixture-db.js';

for (const dialect of testDialects()) {
  describe(`on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb;
    let executor: SqlExecutor;
    let execution: ExecutionContext;
    beforeEach(async () => {
      db = await openFixtureDb(dialect);
      executor = db.executor();
      execution = await startExecution(executor, { pipeline: 'finra.otc_transparency.week', domain: 'finra.otc_transparency' });
    });
    afterEach(closeTestDatabases);

    const checks = defineChecks([
      { name: 'no_negative_volumes', category: 'INTEGRITY', table: 'otc_weekly', kind: 'non_negative', column: 'total_volume', sampleKeyColumns: ['symbol', 'venue'] },
      { name: 'symbol_count_positive', category: 'COMPLETENESS', table: 'otc_weekly', kind: 'row_count', min: 1, distinct: 'symbol' },
      {
        name: 'market_share_sum_100',
        category: 'BUSINESS_RULE',
        severity: 'WARN',
        table: 'otc_weekly',
        kind: 'sum_to',
        column: 'market_share',
        groupBy: ['tier'],
        target: 100,
        tolerance: 0.1,
      },
      { name: 'missing', category: 'INTEGRITY', table: 'missing_table', kind: 'not_null', columns: ['v'], threshold: { maxFailedPercent: 5 } },
    ]);

    async function dirtyRun(): Promise<QualityRun> {
      return runChecks(executor, checks, { where: { week_ending: DIRTY_WEEK } });
    }

    describe('storeResults', () => {
      it('stores one row per result, passes included, and reads them back', async () => {
        const run = await dirtyRun();
        const stored = await storeResults(executor, run, {
          domain: 'finra.otc_transparency',
          partitionKey: `${DIRTY_WEEK}|NMS_TIER_1`,
          pipeline: 'finra.otc_transparency.week',
          stage: 'NORMALIZED',
          captureId: 'cap_1',
          execution,
        });
        expect(stored).toBe(4);
        const rows = await readResults(executor, { domain: 'finra.otc_transparency' });
        expect(rows).toHaveLength(4);
        const byName = new Map(rows.map((row) => [row.check_name, row]));
        expect(byName.get('no_negative_volumes')).toMatchObject({
          domain: 'finra.otc_transparency',
          partition_key: `${DIRTY_WEEK}|NMS_TIER_1`,
          pipeline: 'finra.otc_transparency.week',
          stage: 'NORMALIZED',
          capture_id: 'cap_1',
          check_kind: 'non_negative',
          category: 'INTEGRITY',
          severity: 'FAIL',
          status: 'FAIL',
          check_value: '1',
          expected_value: '0',
          tolerance: null,
          message: '1 of 5 rows has a negative total_volume.',
          failed_row_count: 1,
          sample_keys: '["AAPL|NITE"]',
          execution_id: execution.executionId,
          batch_id: execution.batchId,
        });
        expect(byName.get('symbol_count_positive')).toMatchObject({
          check_kind: 'row_count',
          category: 'COMPLETENESS',
          status: 'PASS',
          check_value: '4',
          expected_value: '>= 1',
          failed_row_count: null,
          sample_keys: '[]',
        });
        expect(byName.get('market_share_sum_100')).toMatchObject({
          check_kind: 'sum_to',
          severity: 'WARN',
          status: 'WARN',
          check_value: '99.5',
          expected_value: '100',
          tolerance: '0.1',
          failed_row_count: 1,
          sample_keys: '["NMS_TIER_1"]',
        });
        expect(byName.get('missing')).toMatchObject({ status: 'ERROR', check_value: null, failed_row_count: null, message: expect.stringMatching(/^The check could not run: (no such table: missing_table|relation "missing_table" does not exist)$/) });
        for (const row of rows) expect(row.checked_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      });

      it('defaults the optional context to NULL and stores nothing for an empty run', async () => {
        await storeResults(executor, await dirtyRun(), { domain: 'd', pipeline: 'p', execution });
        const [row] = await readResults(executor, { limit: 1 });
        expect(row).toMatchObject({ partition_key: null, stage: null, capture_id: null });
        expect(await storeResults(executor, { status: 'PASS', results: [] }, { domain: 'd', pipeline: 'p', execution })).toBe(0);
        expect(await readResults(executor)).toHaveLength(4);
      });
    });

    describe('readResults', () => {
      it('returns rows newest first and filters by domain, partition and status', async () => {
        const run = await dirtyRun();
        await storeResults(executor, run, { domain: 'a', partitionKey: 'w1', pipeline: 'p', execution });
        await storeResults(executor, run, { domain: 'a', partitionKey: 'w2', pipeline: 'p', execution });
        await storeResults(executor, run, { domain: 'b', partitionKey: 'w1', pipeline: 'p', execution });

        const all = await readResults(executor);
        expect(all).toHaveLength(12);
        expect(all.map((r) => r.check_id)).toEqual([...all.map((r) => r.check_id)].sort((x, y) => y - x));
        expect(all[0]).toMatchObject({ domain: 'b', check_name: 'missing' });

        expect((await readResults(executor, { domain: 'a' })).map((r) => r.partition_key)).toEqual([...Array(4).fill('w2'), ...Array(4).fill('w1')]);
        expect(await readResults(executor, { domain: 'a', partitionKey: 'w1' })).toHaveLength(4);
        const errors = await readResults(executor, { status: 'ERROR' });
        expect(errors.map((r) => r.domain)).toEqual(['b', 'a', 'a']);
        expect(await readResults(executor, { domain: 'a', status: 'PASS', limit: 1 })).toHaveLength(1);
        expect(await readResults(executor, { domain: "a' OR '1'='1" })).toEqual([]);
      });

      it('refuses a limit that is not a positive integer', async () => {
        for (const limit of [0, -1, 1.5]) {
          await expect(readResults(executor, { limit })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
        }
      });
    });
  });
}
