import { assertIdentifier } from '@market-spine/core';
import type { SqlExecutor, SqlValue } from '@market-spine/core';
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { QualityCheck } from './check-schema.js';

/** Most failing keys kept per check. */
export const MAX_SAMPLE_KEYS = 5;

/** Equality filters on the checked table, ANDed (a null value means IS NULL). */
export type ScopeFilters = Readonly<Record<string, SqlValue>>;

/** Checks that count failing rows of their table. */
export type RowCheck = Extract<QualityCheck, { kind: 'not_null' | 'unique' | 'non_negative' | 'accepted_values' | 'range' | 'completeness' | 'referential' }>;
/** Row checks whose failure is a condition on the row alone (or an EXISTS on another table). */
type RowPredicateCheck = Exclude<RowCheck, { kind: 'unique' }>;
/** A `sum_to` check. */
export type SumToCheck = Extract<QualityCheck, { kind: 'sum_to' }>;
/** A `row_count` check. */
export type RowCountCheck = Extract<QualityCheck, { kind: 'row_count' }>;
/** A `custom_sql` check. */
export type CustomSqlCheck = Extract<QualityCheck, { kind: 'custom_sql' }>;

/** Rows in scope, how many broke the rule, and the first failing keys. */
export interface RowMeasurement {
  readonly failed: number;
  readonly total: number;
  readonly samples: string[];
}

/** Groups of a `sum_to` check, how many missed the target, and the worst sum. */
export interface GroupMeasurement {
  readonly failed: number;
  readonly total: number;
  /** The sum furthest from the target (NULL sums first); null when there is no group or it is NULL. */
  readonly worst: number | null;
  readonly samples: string[];
}

/** The count a `row_count` check compares (rows or distinct values) and the rows in scope. */
export interface CountMeasurement {
  readonly value: number;
  readonly total: number;
}

/** What a `custom_sql` query returned. */
export interface CustomMeasurement {
  readonly failed: number;
  readonly checkValue: string | null;
}

/** Alias of the checked table in every query; the scope filters are written against it. */
const T = 't';

/** `alias.column`, the column validated before it reaches SQL. */
function col(column: string, alias: string = T): RawBuilder<unknown> {
  return sql.ref(`${alias}.${assertIdentifier(column, 'column')}`);
}

/** `table AS alias`, the table validated before it reaches SQL. */
function tableAs(table: string, alias: string = T): RawBuilder<unknown> {
  return sql`${sql.table(assertIdentifier(table, 'table'))} AS ${sql.id(alias)}`;
}

/** The scope as a boolean expression on `alias`; values are bound parameters. */
function scopeFilter(scope: ScopeFilters, alias: string = T): RawBuilder<unknown> {
  const conditions = Object.entries(scope).map(([column, value]) =>
    value === null ? sql`${col(column, alias)} IS NULL` : sql`${col(column, alias)} = ${bindable(value)}`,
  );
  return conditions.length === 0 ? sql`1 = 1` : sql.join(conditions, sql` AND `);
}

/** Booleans bound as 1/0, as core's `insertRows` stores them (better-sqlite3 cannot bind booleans). */
function bindable(value: Exclude<SqlValue, null>): Exclude<SqlValue, null | boolean> {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** The columns selected as `k0, k1, …` so that sample rows are read by position. */
function keyColumns(columns: readonly string[], alias: string = T): RawBuilder<unknown> {
  return sql.join(columns.map((c, i) => sql`${col(c, alias)} AS ${sql.id(`k${i}`)}`));
}

function keyOrder(count: number, alias?: string): RawBuilder<unknown> {
  return sql.join(Array.from({ length: count }, (_, i) => (alias === undefined ? sql.id(`k${i}`) : sql.ref(`${alias}.k${i}`))));
}

/** Drivers return counts as number, bigint or (PostgreSQL bigint/numeric) string. */
function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isNaN(n) ? null : n;
}

function requireNumber(value: unknown, what: string): number {
  const n = toNumber(value);
  if (n === null) throw new Error(`The query returned no ${what}.`);
  return n;
}

/** A sample key: the key's values joined with `|`, NULL spelled out. */
function sampleKey(row: Record<string, unknown>, width: number): string {
  return Array.from({ length: width }, (_, i) => {
    const value = row[`k${i}`];
    return value === null || value === undefined ? 'NULL' : String(value);
  }).join('|');
}

/** The SQL condition under which a row of a row-predicate check fails. */
function failingRow(check: RowPredicateCheck): RawBuilder<unknown> {
  switch (check.kind) {
    case 'not_null':
      return sql`(${sql.join(check.columns.map((c) => sql`${col(c)} IS NULL`), sql` OR `)})`;
    case 'non_negative':
      return sql`${col(check.column)} < 0`;
    case 'accepted_values':
      return sql`${col(check.column)} NOT IN (${sql.join(check.values)})`;
    case 'range': {
      const below = check.min === undefined ? [] : [sql`${col(check.column)} < ${check.min}`];
      const above = check.max === undefined ? [] : [sql`${col(check.column)} > ${check.max}`];
      return sql`(${sql.join([...below, ...above], sql` OR `)})`;
    }
    case 'completeness':
      return sql`(${col(check.column)} IS NULL OR ${col(check.column)} < ${check.min})`;
    case 'referential': {
      const R = 'r';
      const keyPresent = check.columns.map((c) => sql`${col(c)} IS NOT NULL`);
      // The schema pairs the lists; an unpaired column of a hand-built check fails identifier validation (ERROR).
      const matches = check.columns.map((c, i) => sql`${col(check.references.columns[i] ?? '', R)} = ${col(c)}`);
      // MATCH SIMPLE, as a FOREIGN KEY: a key with a NULL part is not checked.
      return sql`(${sql.join(keyPresent, sql` AND `)} AND NOT EXISTS (SELECT 1 FROM ${tableAs(check.references.table, R)} WHERE ${sql.join(matches, sql` AND `)}))`;
    }
  }
}

/**
 * Counts the rows in scope and those that break a row check's rule, and samples failing keys.
 *
 * @throws the database's error when the SQL fails (missing table or column),
 *   SpineError `INVALID_IDENTIFIER` for a name that is not an identifier
 */
export async function measureRows(executor: SqlExecutor, check: RowCheck, scope: ScopeFilters): Promise<RowMeasurement> {
  if (check.kind === 'unique') return measureUnique(executor, check, scope);
  const failing = failingRow(check);
  // One scan counts both; CASE rather than FILTER, which SQLite < 3.30 and DB2 lack.
  const { rows } = await sql<{ total_rows: unknown; failed_rows: unknown }>`
    SELECT COUNT(*) AS total_rows, COALESCE(SUM(CASE WHEN ${failing} THEN 1 ELSE 0 END), 0) AS failed_rows
    FROM ${tableAs(check.table)} WHERE ${scopeFilter(scope)}`.execute(executor.kysely);
  const failed = requireNumber(rows[0]?.failed_rows, 'failed row count');
  const sampleColumns = check.sampleKeyColumns ?? (check.kind === 'referential' ? check.columns : []);
  const samples =
    failed === 0 || sampleColumns.length === 0
      ? []
      : await sampleRows(executor, sampleColumns, sql`${tableAs(check.table)} WHERE ${scopeFilter(scope)} AND ${failing}`);
  return { failed, total: requireNumber(rows[0]?.total_rows, 'row count'), samples };
}

/** Distinct keys of the first failing rows, in key order. `source` is `FROM`'s operand and conditions. */
async function sampleRows(executor: SqlExecutor, columns: readonly string[], source: RawBuilder<unknown>): Promise<string[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT DISTINCT ${keyColumns(columns)} FROM ${source}
    ORDER BY ${keyOrder(columns.length)} LIMIT ${MAX_SAMPLE_KEYS}`.execute(executor.kysely);
  return rows.map((row) => sampleKey(row, columns.length));
}

async function measureUnique(executor: SqlExecutor, check: Extract<RowCheck, { kind: 'unique' }>, scope: ScopeFilters): Promise<RowMeasurement> {
  const G = 'g';
  const keys = sql.join(check.columns.map((c) => col(c, G)));
  // As a UNIQUE constraint: keys with a NULL part are never duplicates.
  const keyPresent = sql.join(check.columns.map((c) => sql`${col(c, G)} IS NOT NULL`), sql` AND `);
  const duplicateGroups = sql`SELECT ${keys}, COUNT(*) AS spine_duplicates FROM ${tableAs(check.table, G)}
    WHERE ${scopeFilter(scope, G)} AND ${keyPresent} GROUP BY ${keys} HAVING COUNT(*) > 1`;
  const { rows } = await sql<{ total_rows: unknown; failed_rows: unknown }>`
    SELECT (SELECT COUNT(*) FROM ${tableAs(check.table)} WHERE ${scopeFilter(scope)}) AS total_rows,
           (SELECT COALESCE(SUM(d.spine_duplicates), 0) FROM (${duplicateGroups}) AS d) AS failed_rows`.execute(executor.kysely);
  const failed = requireNumber(rows[0]?.failed_rows, 'failed row count');
  const joinOn = sql.join(check.columns.map((c) => sql`${col(c, 'd')} = ${col(c)}`), sql` AND `);
  const samples =
    failed === 0
      ? []
      : await sampleRows(
          executor,
          check.sampleKeyColumns ?? check.columns,
          sql`${tableAs(check.table)} INNER JOIN (${duplicateGroups}) AS d ON ${joinOn} WHERE ${scopeFilter(scope)}`,
        );
  return { failed, total: requireNumber(rows[0]?.total_rows, 'row count'), samples };
}

/**
 * Sums `column` per group and counts the groups outside `target ± tolerance`.
 *
 * @throws the database's error, or SpineError `INVALID_IDENTIFIER`
 */
export async function measureSumTo(executor: SqlExecutor, check: SumToCheck, scope: ScopeFilters): Promise<GroupMeasurement> {
  const groupBy = check.groupBy;
  const low = check.target - check.tolerance;
  const high = check.target + check.tolerance;
  // DOUBLE PRECISION (REAL affinity in SQLite, float8 in PostgreSQL, where REAL is only float4) so
  // that integer and numeric columns sum to the same type on every database.
  const sum = sql`SUM(CAST(${col(check.column)} AS DOUBLE PRECISION))`;
  const groups =
    groupBy.length === 0
      ? sql`SELECT ${sum} AS group_sum FROM ${tableAs(check.table)} WHERE ${scopeFilter(scope)}`
      : sql`SELECT ${keyColumns(groupBy)}, ${sum} AS group_sum FROM ${tableAs(check.table)} WHERE ${scopeFilter(scope)}
            GROUP BY ${sql.join(groupBy.map((c) => col(c)))}`;
  const failing = sql`(d.group_sum IS NULL OR d.group_sum < ${low} OR d.group_sum > ${high})`;
  const counts = await sql<{ total_groups: unknown; failed_groups: unknown }>`
    SELECT COUNT(*) AS total_groups, COALESCE(SUM(CASE WHEN ${failing} THEN 1 ELSE 0 END), 0) AS failed_groups
    FROM (${groups}) AS d`.execute(executor.kysely);
  const order = groupBy.length === 0 ? sql`` : sql`, ${keyOrder(groupBy.length, 'd')}`;
  // Furthest from the target first, so the first row is the worst and the failing groups lead.
  const furthest = await sql<Record<string, unknown>>`
    SELECT d.* FROM (${groups}) AS d
    ORDER BY CASE WHEN d.group_sum IS NULL THEN 0 ELSE 1 END, ABS(d.group_sum - ${check.target}) DESC${order}
    LIMIT ${MAX_SAMPLE_KEYS}`.execute(executor.kysely);
  const sums = furthest.rows.map((row) => ({ row, sum: toNumber(row.group_sum) }));
  const samples =
    groupBy.length === 0
      ? []
      : sums.filter(({ sum: s }) => s === null || s < low || s > high).map(({ row }) => sampleKey(row, groupBy.length));
  return {
    failed: requireNumber(counts.rows[0]?.failed_groups, 'failed group count'),
    total: requireNumber(counts.rows[0]?.total_groups, 'group count'),
    worst: sums[0]?.sum ?? null,
    samples,
  };
}

/**
 * Counts the rows in scope, or the distinct values of `distinct`.
 *
 * @throws the database's error, or SpineError `INVALID_IDENTIFIER`
 */
export async function measureRowCount(executor: SqlExecutor, check: RowCountCheck, scope: ScopeFilters): Promise<CountMeasurement> {
  const distinct = check.distinct === undefined ? sql`COUNT(*)` : sql`COUNT(DISTINCT ${col(check.distinct)})`;
  const { rows } = await sql<{ total_rows: unknown; counted: unknown }>`
    SELECT COUNT(*) AS total_rows, ${distinct} AS counted FROM ${tableAs(check.table)} WHERE ${scopeFilter(scope)}`.execute(
    executor.kysely,
  );
  return { value: requireNumber(rows[0]?.counted, 'count'), total: requireNumber(rows[0]?.total_rows, 'row count') };
}

/**
 * Runs a `custom_sql` query (no scope) and reads its one row.
 *
 * @throws the database's error, or an Error when the result is not one row with a non-negative integer `failed_rows`
 */
export async function measureCustom(executor: SqlExecutor, check: CustomSqlCheck): Promise<CustomMeasurement> {
  // Trusted SQL from the domain's own registry, never from user input.
  const { rows } = await sql.raw<Record<string, unknown>>(check.sql).execute(executor.kysely);
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) throw new Error(`The custom query returned ${rows.length} rows instead of exactly one.`);
  const failed = toNumber(row.failed_rows);
  if (failed === null || !Number.isInteger(failed) || failed < 0) {
    throw new Error(`The custom query's failed_rows is ${JSON.stringify(String(row.failed_rows))}, not a non-negative integer.`);
  }
  const value = row.check_value;
  return { failed, checkValue: value === null || value === undefined ? null : String(value) };
}
