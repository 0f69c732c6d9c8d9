import { assertIdentifier, errorMessage } from '@market-spine/core';
import type { SqlExecutor, SqlValue } from '@market-spine/core';
import type { CheckThreshold, QualityCategory, QualityCheck, QualityCheckKind, QualitySeverity } from './check-schema.js';
import { measureCustom, measureRowCount, measureRows, measureSumTo } from './check-queries.js';
import type {
  CountMeasurement,
  CustomMeasurement,
  CustomSqlCheck,
  GroupMeasurement,
  RowCheck,
  RowCountCheck,
  RowMeasurement,
  ScopeFilters,
  SumToCheck,
} from './check-queries.js';

/**
 * Outcome of a check: `PASS` within its threshold, otherwise its severity
 * (`WARN` or `FAIL`); `ERROR` when the check itself could not run.
 */
export type QualityStatus = 'PASS' | 'WARN' | 'FAIL' | 'ERROR';

/**
 * The rows a run looks at: `where` holds equality filters (column → value,
 * ANDed; `null` means IS NULL) applied to every check's own table — not to a
 * referenced table, and not to `custom_sql` checks. Typically the partition,
 * e.g. `{ where: { week_ending: '2025-11-07', tier: 'NMS_TIER_1' } }`.
 */
export interface CheckScope {
  readonly where?: Readonly<Record<string, SqlValue>>;
}

/** The result of one check; the values are text as stored in `core_quality_checks`. */
export interface QualityResult {
  readonly checkName: string;
  readonly kind: QualityCheckKind;
  readonly category: QualityCategory;
  readonly severity: QualitySeverity;
  readonly status: QualityStatus;
  /**
   * What was measured: the failed row count (row kinds, `custom_sql` unless it
   * returns `check_value`), the worst group sum (`sum_to`), the count (`row_count`).
   */
  readonly checkValue: string | null;
  /** What passes: `0` failed rows, the `sum_to` target, or the `row_count` bounds (`>= 1`). */
  readonly expectedValue: string | null;
  /** The allowance: the threshold (`5` rows or `1.5%`), or the `sum_to` tolerance. */
  readonly tolerance: string | null;
  /** A sentence for people, e.g. "3 of 5328 rows have a negative total_volume." */
  readonly message: string;
  /** Rows (groups for `sum_to`) that broke the rule; null for `row_count` and errors. */
  readonly failedRowCount: number | null;
  /** Rows in scope (groups for `sum_to`); null for `custom_sql` and errors. */
  readonly totalRowCount: number | null;
  /** Up to 5 keys of failing rows (`sampleKeyColumns` values joined with `|`). */
  readonly sampleKeys: readonly string[];
}

/** The results of a run, in check order, and the worst status among them. */
export interface QualityRun {
  readonly status: QualityStatus;
  readonly results: readonly QualityResult[];
}

const STATUS_RANK: Readonly<Record<QualityStatus, number>> = { PASS: 0, WARN: 1, FAIL: 2, ERROR: 3 };

/** The worst of the statuses (ERROR > FAIL > WARN > PASS); `PASS` when there are none. */
export function worstStatus(statuses: Iterable<QualityStatus>): QualityStatus {
  let worst: QualityStatus = 'PASS';
  for (const status of statuses) if (STATUS_RANK[status] > STATUS_RANK[worst]) worst = status;
  return worst;
}

/**
 * Runs the checks one after another against the rows in `scope`. A failing
 * check is a result, never an exception; a check whose SQL fails (missing
 * table or column) yields `ERROR` with the database's message. On PostgreSQL,
 * run it outside a transaction: there a failed statement aborts the transaction.
 *
 * @param executor where the checked tables live
 * @param checks validated checks (see `defineChecks`)
 * @param scope equality filters applied to each check's table
 * @returns one result per check, in order, and the worst status
 * @throws SpineError `INVALID_IDENTIFIER` when a scope column is not an identifier
 */
export async function runChecks(executor: SqlExecutor, checks: readonly QualityCheck[], scope: CheckScope): Promise<QualityRun> {
  const where = scope.where ?? {};
  for (const column of Object.keys(where)) assertIdentifier(column, 'scope column');
  const results: QualityResult[] = [];
  for (const check of checks) {
    try {
      results.push(await evaluate(executor, check, where));
    } catch (error) {
      results.push(errorResult(check, error));
    }
  }
  return { status: worstStatus(results.map((r) => r.status)), results };
}

function errorResult(check: QualityCheck, error: unknown): QualityResult {
  return {
    ...identity(check),
    status: 'ERROR',
    checkValue: null,
    expectedValue: null,
    tolerance: null,
    message: `The check could not run: ${errorMessage(error)}`,
    failedRowCount: null,
    totalRowCount: null,
    sampleKeys: [],
  };
}

function identity(check: QualityCheck): Pick<QualityResult, 'checkName' | 'kind' | 'category' | 'severity'> {
  return { checkName: check.name, kind: check.kind, category: check.category, severity: check.severity };
}

/** True when the failures exceed the threshold (none allowed without one). */
function exceeds(failed: number, total: number, threshold: CheckThreshold | undefined): boolean {
  if (threshold?.maxFailedPercent !== undefined) return total > 0 && (failed / total) * 100 > threshold.maxFailedPercent;
  return failed > (threshold?.maxFailedRows ?? 0);
}

/** Measures a check with its SQL and judges the measurement. */
async function evaluate(executor: SqlExecutor, check: QualityCheck, scope: ScopeFilters): Promise<QualityResult> {
  switch (check.kind) {
    case 'sum_to':
      return judgeSum(check, await measureSumTo(executor, check, scope));
    case 'row_count':
      return judgeCount(check, await measureRowCount(executor, check, scope));
    case 'custom_sql':
      return judgeCustom(check, await measureCustom(executor, check));
    default:
      return judgeRows(check, await measureRows(executor, check, scope));
  }
}

function judgeRows(check: RowCheck, m: RowMeasurement): QualityResult {
  const failing = exceeds(m.failed, m.total, check.threshold);
  return {
    ...identity(check),
    status: failing ? check.severity : 'PASS',
    checkValue: String(m.failed),
    expectedValue: '0',
    tolerance: thresholdText(check.threshold),
    message: rowsMessage(check, m.failed, m.total, failing),
    failedRowCount: m.failed,
    totalRowCount: m.total,
    sampleKeys: m.samples,
  };
}

function judgeSum(check: SumToCheck, m: GroupMeasurement): QualityResult {
  const failing = exceeds(m.failed, m.total, check.threshold);
  return {
    ...identity(check),
    status: failing ? check.severity : 'PASS',
    checkValue: m.worst === null ? null : formatNumber(m.worst),
    expectedValue: formatNumber(check.target),
    tolerance: formatNumber(check.tolerance),
    message: sumMessage(check, m, failing),
    failedRowCount: m.failed,
    totalRowCount: m.total,
    sampleKeys: m.samples,
  };
}

function judgeCount(check: RowCountCheck, m: CountMeasurement): QualityResult {
  const failing = (check.min !== undefined && m.value < check.min) || (check.max !== undefined && m.value > check.max);
  const expected = boundsText(check.min, check.max);
  const what = check.distinct === undefined ? plural(m.value, 'row') : `distinct ${check.distinct} ${plural(m.value, 'value')}`;
  return {
    ...identity(check),
    status: failing ? check.severity : 'PASS',
    checkValue: String(m.value),
    expectedValue: expected,
    tolerance: null,
    message: `${check.table} has ${m.value} ${what} (expected ${expected}).`,
    failedRowCount: null,
    totalRowCount: m.total,
    sampleKeys: [],
  };
}

function judgeCustom(check: CustomSqlCheck, m: CustomMeasurement): QualityResult {
  // maxFailedPercent is refused for custom_sql at parse: there is no total.
  const failing = exceeds(m.failed, 0, check.threshold);
  const found = m.failed === 0 ? 'no failing rows' : `${m.failed} failing ${plural(m.failed, 'row')}`;
  return {
    ...identity(check),
    status: failing ? check.severity : 'PASS',
    checkValue: m.checkValue ?? String(m.failed),
    expectedValue: '0',
    tolerance: thresholdText(check.threshold),
    message: `The custom query found ${found}${thresholdClause(m.failed, 0, check.threshold, failing)}.`,
    failedRowCount: m.failed,
    totalRowCount: null,
    sampleKeys: [],
  };
}

function rowsMessage(check: RowCheck, failed: number, total: number, failing: boolean): string {
  if (total === 0) return `${check.table} has no rows to check.`;
  const rows = `${total} ${plural(total, 'row')}`;
  if (failed === 0) return `None of ${rows} has ${violation(check)}.`;
  return `${failed} of ${rows} ${failed === 1 ? 'has' : 'have'} ${violation(check)}${thresholdClause(failed, total, check.threshold, failing)}.`;
}

/** What a failing row has, completing "3 of 10 rows have …". */
function violation(check: RowCheck): string {
  switch (check.kind) {
    case 'not_null':
      return `a NULL ${check.columns.join(' or ')}`;
    case 'unique':
      return `a duplicate ${keyText(check.columns)}`;
    case 'non_negative':
      return `a negative ${check.column}`;
    case 'accepted_values':
      return `a ${check.column} not in (${check.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')})`;
    case 'range': {
      const { column, min, max } = check;
      if (min !== undefined && max !== undefined) return `a ${column} outside [${formatNumber(min)}, ${formatNumber(max)}]`;
      if (min !== undefined) return `a ${column} below ${formatNumber(min)}`;
      return max !== undefined ? `a ${column} above ${formatNumber(max)}` : `a ${column} out of range`;
    }
    case 'completeness':
      return `a ${check.column} missing or below ${formatNumber(check.min)}`;
    case 'referential':
      return check.columns.length === 1
        ? `a ${check.columns.join('')} with no match in ${check.references.table}.${check.references.columns.join('')}`
        : `a ${keyText(check.columns)} with no match in ${check.references.table} ${keyText(check.references.columns)}`;
  }
}

function sumMessage(check: SumToCheck, m: GroupMeasurement, failing: boolean): string {
  const expected = `${formatNumber(check.target)} ± ${formatNumber(check.tolerance)}`;
  const worst = m.worst === null ? 'NULL' : formatNumber(m.worst);
  if (check.groupBy.length === 0) {
    return `The sum of ${check.column} is ${worst}, ${m.failed === 0 ? 'within' : 'outside'} ${expected}${thresholdClause(m.failed, m.total, check.threshold, failing)}.`;
  }
  if (m.total === 0) return `${check.table} has no groups to check.`;
  const by = `by ${keyText(check.groupBy)}`;
  if (m.failed === 0) {
    const all = m.total === 1 ? `The only group ${by} has` : `All ${m.total} groups ${by} have`;
    return `${all} a sum of ${check.column} within ${expected} (furthest: ${worst}).`;
  }
  return (
    `${m.failed} of ${m.total} ${plural(m.total, 'group')} ${by} ${m.failed === 1 ? 'has' : 'have'} a sum of ${check.column} outside ${expected} (worst: ${worst})` +
    `${thresholdClause(m.failed, m.total, check.threshold, failing)}.`
  );
}

/** " (within the allowed 5)" / " (0.5%, more than the allowed 0.1%)", or "" without a threshold or failure. */
function thresholdClause(failed: number, total: number, threshold: CheckThreshold | undefined, failing: boolean): string {
  const allowed = thresholdText(threshold);
  if (allowed === null || failed === 0) return '';
  const share = threshold?.maxFailedPercent === undefined || total === 0 ? '' : `${formatNumber(Math.round((failed / total) * 10000) / 100)}%, `;
  return ` (${share}${failing ? 'more than' : 'within'} the allowed ${allowed})`;
}

/** The threshold as stored in `tolerance`: `5` (rows) or `1.5%`; null when none is set. */
function thresholdText(threshold: CheckThreshold | undefined): string | null {
  if (threshold?.maxFailedPercent !== undefined) return `${formatNumber(threshold.maxFailedPercent)}%`;
  if (threshold?.maxFailedRows !== undefined) return String(threshold.maxFailedRows);
  return null;
}

/** `>= 1`, `<= 10` or `between 1 and 10` (inclusive). */
function boundsText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${formatNumber(min)} and ${formatNumber(max)}`;
  if (min !== undefined) return `>= ${formatNumber(min)}`;
  // The schema requires a bound; a hand-built check without one accepts anything.
  return max !== undefined ? `<= ${formatNumber(max)}` : 'any value';
}

function keyText(columns: readonly string[]): string {
  return columns.length === 1 ? columns.join('') : `(${columns.join(', ')})`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** Twelve significant digits: hides binary floating-point noise in summed percentages (99.99999999999999 → 100). */
function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
