import { ErrorCode } from '@market-spine/core';
import type { SpineDb, SqlExecutor } from '@market-spine/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { defineChecks } from './check-schema.js';
import type { QualityCheck } from './check-schema.js';
import { runChecks, worstStatus } from './run-checks.js';
import type { CheckScope, QualityResult } from './run-checks.js';
import { CLEAN_WEEK, DIRTY_WEEK, openFixtureDb } from './test-support/fixture-db.js';

for (const dialect of testDialects()) {
  describe(`on ${dialect.name} (${dialect.backend})`, () => {
    let db: SpineDb;
    let executor: SqlExecutor;
    beforeEach(async () => {
      db = await openFixtureDb(dialect);
      executor = db.executor();
    });
    afterEach(closeTestDatabases);

    /** Runs one check definition and returns its result. */
    async function runOne(definition: Record<string, unknown>, scope: CheckScope = {}): Promise<QualityResult> {
      const checks = defineChecks([{ name: 'the_check', category: 'INTEGRITY', table: 'otc_weekly', ...definition }]);
      const run = await runChecks(executor, checks, scope);
      expect(run.results).toHaveLength(1);
      return run.results[0]!;
    }

    const clean: CheckScope = { where: { week_ending: CLEAN_WEEK } };
    const dirty: CheckScope = { where: { week_ending: DIRTY_WEEK } };

    describe('not_null', () => {
      const check = { kind: 'not_null', columns: ['symbol', 'venue'], sampleKeyColumns: ['week_ending', 'symbol'] };

      it('passes when every column is set', async () => {
        const result = await runOne(check, clean);
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 3, checkValue: '0', expectedValue: '0', tolerance: null, sampleKeys: [] });
        expect(result.message).toBe('None of 3 rows has a NULL symbol or venue.');
      });

      it('counts rows with a NULL in any column and samples their keys', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({ checkName: 'the_check', kind: 'not_null', category: 'INTEGRITY', severity: 'FAIL', status: 'FAIL' });
        expect(result).toMatchObject({ failedRowCount: 1, totalRowCount: 8, checkValue: '1', sampleKeys: ['2025-11-14|MSFT'] });
        expect(result.message).toBe('1 of 8 rows has a NULL symbol or venue.');
      });
    });

    describe('unique', () => {
      const check = { name: 'no_duplicate_natural_keys', kind: 'unique', columns: ['week_ending', 'tier', 'symbol', 'venue'] };

      it('passes without duplicate keys', async () => {
        expect(await runOne(check, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 3 });
      });

      it('counts every row of a duplicate key group and samples the key', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({
          checkName: 'no_duplicate_natural_keys',
          status: 'FAIL',
          failedRowCount: 2,
          totalRowCount: 8,
          checkValue: '2',
          sampleKeys: ['2025-11-14|NMS_TIER_1|AAPL|NITE'],
        });
        expect(result.message).toBe('2 of 8 rows have a duplicate (week_ending, tier, symbol, venue).');
      });

      it('never treats keys with a NULL part as duplicates, as a UNIQUE constraint', async () => {
        await executor.exec(`INSERT INTO otc_weekly VALUES ('${DIRTY_WEEK}', 'NMS_TIER_1', 'MSFT', NULL, 1, 1, 0)`);
        expect(await runOne({ kind: 'unique', columns: ['week_ending', 'symbol', 'venue'] }, dirty)).toMatchObject({ failedRowCount: 2, totalRowCount: 6 });
      });

      it('samples the sampleKeyColumns of the duplicate rows', async () => {
        const result = await runOne({ ...check, sampleKeyColumns: ['total_volume'] });
        expect(result.sampleKeys).toEqual(['-5', '10']);
      });
    });

    describe('non_negative', () => {
      const check = { name: 'no_negative_volumes', kind: 'non_negative', column: 'total_volume', sampleKeyColumns: ['symbol', 'venue'] };

      it('passes when no value is negative', async () => {
        expect(await runOne(check, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 3, sampleKeys: [] });
      });

      it('counts negative values', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1, totalRowCount: 8, checkValue: '1', sampleKeys: ['AAPL|NITE'] });
        expect(result.message).toBe('1 of 8 rows has a negative total_volume.');
      });

      it('lets NULL pass, as a CHECK constraint does', async () => {
        await executor.exec(`INSERT INTO otc_weekly VALUES ('${CLEAN_WEEK}', 'OTC', 'X', 'NITE', NULL, NULL, 0)`);
        expect(await runOne(check, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 4 });
      });
    });

    describe('accepted_values', () => {
      const check = { kind: 'accepted_values', column: 'tier', values: ['NMS_TIER_1', 'NMS_TIER_2', 'OTC'], sampleKeyColumns: ['tier'] };

      it('passes when every value is listed', async () => {
        expect(await runOne(check, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0 });
      });

      it('counts values outside the list', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1, totalRowCount: 8, sampleKeys: ['BAD'] });
        expect(result.message).toBe("1 of 8 rows has a tier not in ('NMS_TIER_1', 'NMS_TIER_2', 'OTC').");
      });

      it('binds hostile listed values as plain values', async () => {
        const result = await runOne({ kind: 'accepted_values', column: 'tier', values: ["x') OR 1=1 --", 'OTC'] });
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 7, totalRowCount: 8 });
      });
    });

    describe('range', () => {
      it('passes within inclusive bounds', async () => {
        expect(await runOne({ kind: 'range', column: 'market_share', min: 20, max: 50 }, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0 });
      });

      it('counts values outside the bounds', async () => {
        const result = await runOne({ kind: 'range', column: 'market_share', min: 0, max: 100 });
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1, totalRowCount: 8 });
        expect(result.message).toBe('1 of 8 rows has a market_share outside [0, 100].');
      });

      it('checks a single bound', async () => {
        expect(await runOne({ kind: 'range', column: 'total_trades', min: 2 })).toMatchObject({ failedRowCount: 2 });
        const above = await runOne({ kind: 'range', column: 'total_trades', max: 5 });
        expect(above).toMatchObject({ failedRowCount: 2, message: '2 of 8 rows have a total_trades above 5.' });
      });
    });

    describe('sum_to', () => {
      const check = {
        name: 'market_share_sum_100',
        category: 'BUSINESS_RULE',
        kind: 'sum_to',
        column: 'market_share',
        groupBy: ['week_ending', 'tier'],
        target: 100,
        tolerance: 0.1,
      };

      it('passes when every group sums to the target within the tolerance', async () => {
        const result = await runOne(check, clean);
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 1, checkValue: '100', expectedValue: '100', tolerance: '0.1' });
        expect(result.message).toBe('The only group by (week_ending, tier) has a sum of market_share within 100 ± 0.1 (furthest: 100).');
      });

      it('counts failing groups and reports the worst sum', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({
          status: 'FAIL',
          failedRowCount: 1,
          totalRowCount: 4,
          checkValue: '99.5',
          sampleKeys: ['2025-11-14|NMS_TIER_1'],
        });
        expect(result.message).toBe('1 of 4 groups by (week_ending, tier) has a sum of market_share outside 100 ± 0.1 (worst: 99.5).');
      });

      it('treats the tolerance as inclusive', async () => {
        expect(await runOne({ ...check, tolerance: 0.5 })).toMatchObject({ status: 'PASS', failedRowCount: 0, checkValue: '99.5' });
      });

      it('sums the whole scope without groupBy', async () => {
        const pass = await runOne({ ...check, groupBy: [] }, clean);
        expect(pass).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 1, checkValue: '100', sampleKeys: [] });
        expect(pass.message).toBe('The sum of market_share is 100, within 100 ± 0.1.');
        const fail = await runOne({ ...check, groupBy: [] }, dirty);
        expect(fail).toMatchObject({ status: 'FAIL', failedRowCount: 1, totalRowCount: 1, checkValue: '299.55' });
      });

      it('fails an empty scope without groupBy: there is no sum', async () => {
        const result = await runOne({ ...check, groupBy: [] }, { where: { week_ending: '2099-01-01' } });
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1, checkValue: null });
        expect(result.message).toBe('The sum of market_share is NULL, outside 100 ± 0.1.');
      });
    });

    describe('row_count', () => {
      const check = { name: 'symbol_count_positive', category: 'COMPLETENESS', kind: 'row_count', min: 1, distinct: 'symbol' };

      it('passes when the distinct count is within bounds', async () => {
        const result = await runOne(check, clean);
        expect(result).toMatchObject({ status: 'PASS', checkValue: '2', expectedValue: '>= 1', failedRowCount: null, totalRowCount: 3, tolerance: null });
        expect(result.message).toBe('otc_weekly has 2 distinct symbol values (expected >= 1).');
      });

      it('fails when the scope has nothing', async () => {
        const result = await runOne(check, { where: { week_ending: '2099-01-01' } });
        expect(result).toMatchObject({ status: 'FAIL', checkValue: '0', totalRowCount: 0 });
        expect(result.message).toBe('otc_weekly has 0 distinct symbol values (expected >= 1).');
      });

      it('counts rows without distinct, against both bounds', async () => {
        const result = await runOne({ kind: 'row_count', min: 1, max: 5 });
        expect(result).toMatchObject({ status: 'FAIL', checkValue: '8', expectedValue: 'between 1 and 5' });
        expect(result.message).toBe('otc_weekly has 8 rows (expected between 1 and 5).');
      });
    });

    describe('completeness', () => {
      const check = { name: 'rolling_window_complete', category: 'COMPLETENESS', table: 'rolling_metrics', kind: 'completeness', column: 'weeks_in_window', min: 6, sampleKeyColumns: ['symbol'] };

      it('counts rows below the minimum or missing', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 2, totalRowCount: 4, sampleKeys: ['MSFT', 'TSLA'] });
        expect(result.message).toBe('2 of 4 rows have a weeks_in_window missing or below 6.');
      });

      it('passes when every row reaches the minimum', async () => {
        expect(await runOne(check, { where: { symbol: 'AAPL' } })).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 1 });
      });
    });

    describe('referential', () => {
      const check = { kind: 'referential', columns: ['venue'], references: { table: 'venues', columns: ['venue_id'] } };

      it('passes when every key has a match', async () => {
        expect(await runOne(check, clean)).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 3 });
      });

      it('counts non-NULL keys without a match and samples them', async () => {
        const result = await runOne(check);
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1, totalRowCount: 8, sampleKeys: ['GHST'] });
        expect(result.message).toBe('1 of 8 rows has a venue with no match in venues.venue_id.');
      });

      it('checks composite keys, including against its own table', async () => {
        const self = { kind: 'referential', columns: ['symbol', 'venue'], references: { table: 'otc_weekly', columns: ['symbol', 'venue'] } };
        expect(await runOne(self)).toMatchObject({ status: 'PASS', failedRowCount: 0 });
      });
    });

    describe('custom_sql', () => {
      it('passes with zero failed rows', async () => {
        const result = await runOne({ kind: 'custom_sql', sql: 'SELECT COUNT(*) AS failed_rows FROM otc_weekly WHERE total_volume > 1000' });
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: null, checkValue: '0', expectedValue: '0' });
        expect(result.message).toBe('The custom query found no failing rows.');
      });

      it('fails with failed rows and reports its check_value', async () => {
        const result = await runOne({
          kind: 'custom_sql',
          sql: 'SELECT COUNT(*) AS failed_rows, MAX(total_volume) AS check_value FROM otc_weekly WHERE total_volume > 50',
        });
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 2, checkValue: '100' });
        expect(result.message).toBe('The custom query found 2 failing rows.');
      });

      it('is not filtered by the scope', async () => {
        const result = await runOne({ kind: 'custom_sql', sql: 'SELECT COUNT(*) AS failed_rows FROM otc_weekly WHERE total_volume < 0' }, clean);
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 1 });
      });

      it('reports ERROR when the result is not one row with failed_rows', async () => {
        const twoRows = await runOne({ kind: 'custom_sql', sql: 'SELECT 0 AS failed_rows FROM venues LIMIT 2' });
        expect(twoRows.status).toBe('ERROR');
        expect(twoRows.message).toBe('The check could not run: The custom query returned 2 rows instead of exactly one.');
        const noColumn = await runOne({ kind: 'custom_sql', sql: 'SELECT 1 AS broken' });
        expect(noColumn).toMatchObject({ status: 'ERROR', failedRowCount: null });
        expect(noColumn.message).toContain('failed_rows');
      });
    });

    describe('thresholds and severity', () => {
      const negativeTrades = { kind: 'non_negative', column: 'total_trades' };

      it('passes while the failed rows do not exceed maxFailedRows', async () => {
        const result = await runOne({ ...negativeTrades, threshold: { maxFailedRows: 1 } });
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 1, checkValue: '1', expectedValue: '0', tolerance: '1' });
        expect(result.message).toBe('1 of 8 rows has a negative total_trades (within the allowed 1).');
      });

      it('fails once the failed rows exceed maxFailedRows', async () => {
        const result = await runOne({ kind: 'range', column: 'total_trades', min: 2, threshold: { maxFailedRows: 1 } });
        expect(result).toMatchObject({ status: 'FAIL', failedRowCount: 2 });
        expect(result.message).toBe('2 of 8 rows have a total_trades below 2 (more than the allowed 1).');
      });

      it('compares the failed share with maxFailedPercent', async () => {
        const over = await runOne({ ...negativeTrades, threshold: { maxFailedPercent: 10 } });
        expect(over).toMatchObject({ status: 'FAIL', tolerance: '10%' });
        expect(over.message).toBe('1 of 8 rows has a negative total_trades (12.5%, more than the allowed 10%).');
        const within = await runOne({ ...negativeTrades, threshold: { maxFailedPercent: 12.5 } });
        expect(within).toMatchObject({ status: 'PASS', tolerance: '12.5%' });
      });

      it('applies the threshold to failing groups of sum_to', async () => {
        const check = { kind: 'sum_to', column: 'market_share', groupBy: ['week_ending', 'tier'], target: 100, tolerance: 0.1 };
        expect(await runOne({ ...check, threshold: { maxFailedPercent: 25 } })).toMatchObject({ status: 'PASS', failedRowCount: 1, totalRowCount: 4 });
        expect(await runOne({ ...check, threshold: { maxFailedPercent: 20 } })).toMatchObject({ status: 'FAIL' });
      });

      it('applies maxFailedRows to custom_sql', async () => {
        const result = await runOne({ kind: 'custom_sql', sql: 'SELECT 2 AS failed_rows', threshold: { maxFailedRows: 2 } });
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 2, tolerance: '2' });
        expect(result.message).toBe('The custom query found 2 failing rows (within the allowed 2).');
      });

      it('reports WARN for a failing check of severity WARN', async () => {
        const result = await runOne({ ...negativeTrades, severity: 'WARN' });
        expect(result).toMatchObject({ severity: 'WARN', status: 'WARN', failedRowCount: 1 });
      });
    });

    describe('runChecks', () => {
      it('reports ERROR with the database message for a missing table, without throwing, and runs the rest', async () => {
        const checks = defineChecks([
          { name: 'missing', category: 'INTEGRITY', table: 'missing_table', kind: 'non_negative', column: 'v' },
          { name: 'missing_column', category: 'INTEGRITY', table: 'otc_weekly', kind: 'not_null', columns: ['no_such_column'] },
          { name: 'fine', category: 'INTEGRITY', table: 'otc_weekly', kind: 'non_negative', column: 'total_volume', severity: 'WARN' },
        ]);
        const run = await runChecks(executor, checks, {});
        expect(run.status).toBe('ERROR');
        expect(run.results.map((r) => r.status)).toEqual(['ERROR', 'ERROR', 'WARN']);
        expect(run.results[0]).toMatchObject({
          checkName: 'missing',
          checkValue: null,
          expectedValue: null,
          tolerance: null,
          failedRowCount: null,
          totalRowCount: null,
          sampleKeys: [],
        });
        expect(run.results[0]!.message).toMatch(/^The check could not run: (no such table: missing_table|relation "missing_table" does not exist)$/);
        expect(run.results[1]!.message).toMatch(/no such column|column .* does not exist/);
      });

      it('returns the worst status of its results', async () => {
        const definitions = [
          { name: 'passes', category: 'INTEGRITY', table: 'otc_weekly', kind: 'range', column: 'market_share', min: 0 },
          { name: 'warns', category: 'INTEGRITY', table: 'otc_weekly', kind: 'non_negative', column: 'total_trades', severity: 'WARN' },
          { name: 'fails', category: 'INTEGRITY', table: 'otc_weekly', kind: 'accepted_values', column: 'tier', values: ['OTC'] },
        ];
        expect((await runChecks(executor, defineChecks(definitions.slice(0, 1)), clean)).status).toBe('PASS');
        expect((await runChecks(executor, defineChecks(definitions.slice(0, 2)), {})).status).toBe('WARN');
        expect((await runChecks(executor, defineChecks(definitions), {})).status).toBe('FAIL');
        expect(await runChecks(executor, [], {})).toEqual({ status: 'PASS', results: [] });
      });

      it('filters every check by the scope, with NULL matched by IS NULL', async () => {
        const checks = defineChecks([
          { name: 'rows', category: 'COMPLETENESS', table: 'otc_weekly', kind: 'row_count', min: 1 },
          { name: 'venues', category: 'INTEGRITY', table: 'otc_weekly', kind: 'not_null', columns: ['venue'] },
        ]);
        const byWeekAndTier = await runChecks(executor, checks, { where: { week_ending: DIRTY_WEEK, tier: 'NMS_TIER_1' } });
        expect(byWeekAndTier.results.map((r) => [r.checkValue, r.totalRowCount])).toEqual([
          ['3', 3],
          ['1', 3],
        ]);
        const nullVenue = await runChecks(executor, checks, { where: { venue: null } });
        expect(nullVenue.results.map((r) => r.totalRowCount)).toEqual([1, 1]);
      });

      it('treats hostile scope values as plain values that match nothing', async () => {
        const checks = defineChecks([
          { name: 'rows', category: 'COMPLETENESS', table: 'otc_weekly', kind: 'row_count', min: 1 },
          { name: 'negatives', category: 'INTEGRITY', table: 'otc_weekly', kind: 'non_negative', column: 'total_volume' },
        ]);
        for (const hostile of ["' OR 1=1 --", "2025-11-14' OR '1'='1", '"; DROP TABLE otc_weekly; --']) {
          const run = await runChecks(executor, checks, { where: { week_ending: hostile } });
          expect(run.results.map((r) => r.totalRowCount)).toEqual([0, 0]);
          expect(run.results[0]).toMatchObject({ status: 'FAIL', checkValue: '0' });
        }
        const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM otc_weekly`.execute(executor.kysely);
        expect(rows[0]!.n).toBe(8);
      });

      it('refuses a scope column that is not an identifier', async () => {
        const checks = defineChecks([{ name: 'rows', category: 'COMPLETENESS', table: 'otc_weekly', kind: 'row_count', min: 1 }]);
        await expect(runChecks(executor, checks, { where: { '1=1 OR week_ending': 'x' } })).rejects.toMatchObject({ code: ErrorCode.INVALID_IDENTIFIER });
      });

      it('reports ERROR for a hand-built check whose identifiers were never validated', async () => {
        const hostile = { name: 'hostile', category: 'INTEGRITY', severity: 'FAIL', kind: 'non_negative', table: 'otc_weekly; DROP TABLE venues', column: 'v' } as QualityCheck;
        const run = await runChecks(executor, [hostile], {});
        expect(run.results[0]).toMatchObject({ status: 'ERROR' });
        expect(run.results[0]!.message).toContain('Invalid table name');
        const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM venues`.execute(executor.kysely);
        expect(rows[0]!.n).toBe(3);
      });

      it('says when the scope has no rows', async () => {
        const result = await runOne({ kind: 'non_negative', column: 'total_volume' }, { where: { week_ending: '2099-01-01' } });
        expect(result).toMatchObject({ status: 'PASS', failedRowCount: 0, totalRowCount: 0, message: 'otc_weekly has no rows to check.' });
      });
    });

    describe('worstStatus', () => {
      it('orders ERROR > FAIL > WARN > PASS', () => {
        expect(worstStatus([])).toBe('PASS');
        expect(worstStatus(['PASS', 'WARN'])).toBe('WARN');
        expect(worstStatus(['FAIL', 'WARN', 'PASS'])).toBe('FAIL');
        expect(worstStatus(['PASS', 'ERROR', 'FAIL'])).toBe('ERROR');
      });
    });
  });
}
