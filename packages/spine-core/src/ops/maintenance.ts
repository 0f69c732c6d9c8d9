import type { FullScan, RelationSize } from '../dialect/types.js';
import { ErrorCode, SpineError, isSpineError } from '../errors.js';
import { quoteCatalogName } from '../identifiers.js';
import type { SpineDb } from '../spine-db.js';

/** The tables of the database (views and indexes left out), sorted. */
export async function listTables(db: SpineDb): Promise<string[]> {
  const objects = await db.dialect.introspector.listObjects(db.executor());
  return objects.filter((o) => o.type === 'table').map((o) => o.name);
}

/** Outcome of {@link analyzeTables}. */
export type AnalyzeResult =
  | { readonly status: 'analyzed'; readonly tables: readonly string[] }
  /** The named table does not exist; nothing was analyzed. */
  | { readonly status: 'not_found'; readonly table: string };

/**
 * Refreshes the query planner's statistics (seed 000 "Analyze After Schema
 * Changes"): `ANALYZE <table>` for the named table, else for every table,
 * one at a time (a bare PostgreSQL `ANALYZE` would cover every schema of
 * the server's database, not just this one).
 */
export async function analyzeTables(db: SpineDb, table?: string): Promise<AnalyzeResult> {
  const tables = await listTables(db);
  if (table !== undefined && !tables.includes(table)) return { status: 'not_found', table };
  const targets = table === undefined ? tables : [table];
  const executor = db.executor();
  for (const name of targets) await executor.exec(`ANALYZE ${quoteCatalogName(name)}`);
  return { status: 'analyzed', tables: targets };
}

/** What {@link vacuumDatabase} did; sizes in bytes. */
export interface VacuumResult {
  readonly status: 'vacuumed';
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** `bytesBefore − bytesAfter`: the space deleted rows held (seed 000 "Vacuum After Large Deletes"); 0 or a little below when nothing was free. */
  readonly reclaimedBytes: number;
}

/**
 * Gives the space of deleted rows back (SQLite `VACUUM`; PostgreSQL `VACUUM FULL`
 * of the schema's tables) and measures it: the database's size before and after.
 */
export async function vacuumDatabase(db: SpineDb): Promise<VacuumResult> {
  const executor = db.executor();
  const { maintenance } = db.dialect;
  const bytesBefore = await maintenance.databaseBytes(executor);
  await maintenance.vacuum(executor);
  const bytesAfter = await maintenance.databaseBytes(executor);
  return { status: 'vacuumed', bytesBefore, bytesAfter, reclaimedBytes: bytesBefore - bytesAfter };
}

/** Sizes of the database and of every table with its indexes, in bytes. */
export interface SizesReport {
  readonly databaseBytes: number;
  /** Largest first. */
  readonly tables: readonly RelationSize[];
}

/** Sizes (seed 000 "Monitor Table Sizes": SQLite `dbstat`, PostgreSQL `pg_total_relation_size`). */
export async function databaseSizes(db: SpineDb): Promise<SizesReport> {
  const executor = db.executor();
  return { databaseBytes: await db.dialect.maintenance.databaseBytes(executor), tables: await db.dialect.maintenance.relationSizes(executor) };
}

/**
 * Checks that `text` is exactly one statement (by the dialect's tokenizer),
 * so nothing after a `;` runs unseen.
 *
 * @throws SpineError `INVALID_ARGUMENT` for none or several, or text the tokenizer cannot read
 */
export function assertOneStatement(db: SpineDb, text: string, what: string): string {
  let statements: readonly { text: string }[];
  try {
    statements = db.dialect.splitStatements(text, what);
  } catch (error) {
    if (!isSpineError(error, ErrorCode.MIGRATION_PARSE_FAILED)) throw error;
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `The ${what} cannot be read: ${error.message}`, { hint: 'Check the SQL syntax.', cause: error });
  }
  if (statements.length !== 1) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `The ${what} must be one SQL statement; ${statements.length} found.`, {
      hint: 'Pass a single statement, without a second one after a semicolon.',
    });
  }
  return (statements[0] as { text: string }).text;
}

/** The plan of a statement and the full table scans in it. */
export interface ExplainReport {
  readonly statement: string;
  /** `clean`: no table is read by a full scan; `full_scans`: some are (see `fullScans`). */
  readonly status: 'clean' | 'full_scans';
  readonly lines: readonly string[];
  readonly fullScans: readonly FullScan[];
}

/**
 * Plans a statement without running it and flags the tables it reads by a
 * full scan (seed 000 "When to Add Custom Indexes": `SCAN TABLE` is bad,
 * `SEARCH … USING INDEX` good). A plan on a tiny table may scan it anyway:
 * the planner prefers that when the table fits in a page or two.
 *
 * @throws SpineError `INVALID_ARGUMENT` when the text is not one statement the database can plan
 */
export async function explainStatement(db: SpineDb, statement: string): Promise<ExplainReport> {
  const text = assertOneStatement(db, statement, 'statement to explain');
  const plan = await db.dialect.maintenance.explain(db.executor(), text);
  return { statement: text, status: plan.fullScans.length === 0 ? 'clean' : 'full_scans', lines: plan.lines, fullScans: plan.fullScans };
}
