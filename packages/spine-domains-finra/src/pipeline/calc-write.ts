import { sql } from 'kysely';
import { ErrorCode, SpineError, errorMessage } from '@market-spine/core';
import type { SqlExecutor, SqlValue } from '@market-spine/core';
import type { CalcEntry } from '../calcs.js';
import type { CaptureRef } from './stages.js';

/** Row values, in the order of the write's columns. */
type Rows = readonly (readonly SqlValue[])[];

/** Rows of one calculation version for one capture, lineage columns included. */
export interface CalcRowsWrite {
  readonly calcName: string;
  readonly calc: Pick<CalcEntry, 'table' | 'business_keys'>;
  readonly version: string;
  readonly capture: CaptureRef;
  /** Every column written, in the order of each row's values (business keys, calc_name, calc_version and capture_id among them). */
  readonly columns: readonly string[];
  readonly rows: Rows;
}

/** Bound parameters per upsert statement: below SQLite's 32,766 and PostgreSQL's 65,535. */
const UPSERT_PARAMETERS = 8000;
const SAVEPOINT = 'spine_calc_rows';
const PROBE = 'spine_calc_rows_probe';

/**
 * The natural key of a calculation's rows: its business keys plus calc name,
 * version and capture — the UNIQUE constraint of every calc table (seed 000
 * "Duplicate Key Error": `ON CONFLICT(week_ending, tier, symbol, mpid, capture_id)`).
 */
export function naturalKey(calc: Pick<CalcEntry, 'business_keys'>): string[] {
  return [...calc.business_keys, 'calc_name', 'calc_version', 'capture_id'];
}

/** True when the capture already has rows of this calculation version: the stage runs again. */
async function hasRows(tx: SqlExecutor, write: CalcRowsWrite): Promise<boolean> {
  const row = await tx.kysely
    .selectFrom(write.calc.table)
    .select(sql<number>`1`.as('one'))
    .where('week_ending', '=', write.capture.weekEnding)
    .where('tier', '=', write.capture.tier)
    .where('capture_id', '=', write.capture.captureId)
    .where('calc_name', '=', write.calcName)
    .where('calc_version', '=', write.version)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** `INSERT … ON CONFLICT (natural key) DO UPDATE SET` every other column, in chunks. */
async function upsertRows(tx: SqlExecutor, write: CalcRowsWrite, rows: Rows): Promise<number> {
  const key = naturalKey(write.calc);
  const update = write.columns.filter((c) => !key.includes(c));
  const perStatement = Math.max(1, Math.floor(UPSERT_PARAMETERS / write.columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    // better-sqlite3 binds no booleans; 1/0 is what the SQLite columns hold and PostgreSQL's BOOLEAN accepts.
    const values = rows.slice(start, start + perStatement).map((row) => Object.fromEntries(write.columns.map((c, i) => [c, typeof row[i] === 'boolean' ? Number(row[i]) : row[i]])));
    await tx.kysely
      .insertInto(write.calc.table)
      .values(values)
      .onConflict((oc) => oc.columns(key).doUpdateSet((eb) => Object.fromEntries(update.map((c) => [c, eb.ref(`excluded.${c}`)]))))
      .execute();
  }
  return rows.length;
}

/** Writes `rows` inside a savepoint that is always rolled back: the error, or null when they would be accepted. */
async function probe(tx: SqlExecutor, writeRows: (rows: Rows) => Promise<number>, rows: Rows): Promise<unknown> {
  await tx.exec(`SAVEPOINT ${PROBE}`);
  try {
    await writeRows(rows);
    return null;
  } catch (error) {
    return error;
  } finally {
    await tx.exec(`ROLLBACK TO SAVEPOINT ${PROBE}`);
    await tx.exec(`RELEASE SAVEPOINT ${PROBE}`);
  }
}

/**
 * The first row the table refuses: the shortest prefix of `rows` that fails
 * ends with it (binary search; a prefix that fails keeps failing when it
 * grows, also for a UNIQUE clash with an earlier row). Each probe runs in a
 * savepoint rolled back afterwards.
 */
async function firstRefusedRow(
  tx: SqlExecutor,
  writeRows: (rows: Rows) => Promise<number>,
  rows: Rows,
  error: unknown,
): Promise<{ index: number; error: unknown }> {
  let accepted = 0;
  let refused = rows.length;
  let cause = error;
  while (refused - accepted > 1) {
    const middle = Math.floor((accepted + refused) / 2);
    const failure = await probe(tx, writeRows, rows.slice(0, middle));
    if (failure === null) accepted = middle;
    else {
      refused = middle;
      cause = failure;
    }
  }
  return { index: refused - 1, error: cause };
}

/**
 * Writes a calculation's rows for one capture: a bulk insert the first time;
 * when the capture already has rows of this version (its stage runs again),
 * an UPSERT on the natural key ({@link naturalKey}) that updates the values
 * and lineage of the rows already there, so running a capture again is
 * idempotent (seed 000 "Issue 3: Duplicate Key Error"). The bulk insert
 * cannot clash with stored rows: every calc table's key includes capture_id.
 *
 * A row the table refuses (seed 000 "Issue 2: Constraint Violation on
 * Insert") fails the write with the calculation and the row's business key
 * named; none of the rows stay (savepoint), and the caller's transaction is
 * rolled back by the error.
 *
 * @returns rows written
 * @throws SpineError `CALC_CONSTRAINT_VIOLATION` with `details` { calc, version, table, captureId, key, constraint }
 */
export async function writeCalcRows(tx: SqlExecutor, write: CalcRowsWrite): Promise<number> {
  if (write.rows.length === 0) return 0;
  const rerun = await hasRows(tx, write);
  const writeRows = rerun ? (rows: Rows) => upsertRows(tx, write, rows) : (rows: Rows) => tx.insertRows(write.calc.table, write.columns, rows);
  await tx.exec(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const written = await writeRows(write.rows);
    await tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return written;
  } catch (error) {
    await tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    const refused = await firstRefusedRow(tx, writeRows, write.rows, error);
    await tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    throw refusedRowError(write, write.rows[refused.index] ?? [], refused.error);
  }
}

function refusedRowError(write: CalcRowsWrite, row: readonly SqlValue[], cause: unknown): SpineError {
  const key = Object.fromEntries(write.calc.business_keys.map((column) => [column, row[write.columns.indexOf(column)] ?? null]));
  const keyText = Object.entries(key)
    .map(([column, value]) => `${column}=${String(value)}`)
    .join(', ');
  const constraint = errorMessage(cause);
  return new SpineError(
    ErrorCode.CALC_CONSTRAINT_VIOLATION,
    `${write.calcName} ${write.version} computed a row that ${write.calc.table} refuses: (${keyText}) of capture ${write.capture.captureId}: ${constraint}. Nothing of the stage was written.`,
    {
      hint: "A calculation bug: check the calculation's logic for this row, add a validation and a test for the invariant, then run the capture again.",
      details: { calc: write.calcName, version: write.version, table: write.calc.table, captureId: write.capture.captureId, key, constraint },
      cause,
    },
  );
}
