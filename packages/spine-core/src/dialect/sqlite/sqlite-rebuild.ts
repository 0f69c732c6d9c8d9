import { sql } from 'kysely';
import { parse } from 'sql-parser-cst';
import type { CreateTableStmt, Node, Program } from 'sql-parser-cst';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { assertIdentifier, quoteCatalogName, quoteIdentifier } from '../../identifiers.js';
import type { SpineDb } from '../../spine-db.js';
import type { SqlExecutor, TableRebuildReport, TableRebuildSpec } from '../types.js';

/**
 * Reads `PRAGMA foreign_keys` on the connection and sets it to `on`.
 *
 * SQLite ignores this pragma inside a transaction ("This pragma is a no-op
 * within a transaction", SQLite docs, "PRAGMA foreign_keys"), so call it
 * outside any transaction.
 *
 * @param executor an autocommit executor (`SpineDb.executor()`)
 * @param on the wanted setting
 * @returns the setting before the call
 */
export async function setForeignKeys(executor: SqlExecutor, on: boolean): Promise<boolean> {
  const previous = await foreignKeysOn(executor);
  if (previous !== on) await executor.exec(`PRAGMA foreign_keys = ${on ? 'ON' : 'OFF'}`);
  return previous;
}

/**
 * Rebuilds a table with the 12-step procedure of the SQLite docs ("ALTER
 * TABLE", section "Making Other Kinds Of Table Schema Changes"): turns foreign
 * keys off outside any transaction, runs {@link rebuildTableInTransaction} in
 * one `BEGIN IMMEDIATE` transaction, and restores the foreign key setting
 * afterwards, also when the rebuild fails (which rolls everything back).
 *
 * @param db the database
 * @param spec the table and its new definition
 * @returns what was copied, dropped, added and recreated
 * @throws SpineError `REBUILD_INVALID` when the spec cannot be applied (see {@link rebuildTableInTransaction});
 *   `REBUILD_FOREIGN_KEY_VIOLATION` when the result would violate a foreign key; `INVALID_IDENTIFIER` for a bad table name
 */
export async function rebuildTable(db: SpineDb, spec: TableRebuildSpec): Promise<TableRebuildReport> {
  const autocommit = db.executor();
  const previous = await setForeignKeys(autocommit, false);
  try {
    return await db.transaction((tx) => rebuildTableInTransaction(tx, spec));
  } finally {
    await setForeignKeys(autocommit, previous);
  }
}

/**
 * The steps of a table rebuild inside a transaction the caller opened with
 * foreign keys already OFF (the migration engine uses this to keep its ledger
 * row in the same transaction): create the new definition under a temporary
 * name, copy the rows (explicit column lists, rowids kept), drop the old
 * table, rename the new one, recreate the indexes, triggers and views that
 * went with it and check that they still compile, then run
 * `foreign_key_check` on the table and on the tables that reference it.
 *
 * On any error the database is left half-changed inside the transaction: the
 * caller must roll back (which `SpineDb.transaction` does).
 *
 * @param tx executor of the open transaction
 * @param spec the table and its new definition
 * @returns what was copied, dropped, added and recreated
 * @throws SpineError `REBUILD_INVALID` when foreign keys are ON, the table is missing, `createTableSql` is not one
 *   `CREATE TABLE` of that table, a new NOT NULL column has no default and no expression, an expression names a column
 *   the new table lacks, rows do not fit the new definition, or an index/trigger/view no longer fits it;
 *   `REBUILD_FOREIGN_KEY_VIOLATION` listing table, rowid and parent of rows that violate a foreign key;
 *   `INVALID_IDENTIFIER` for a table or column name outside the identifier pattern
 */
export async function rebuildTableInTransaction(tx: SqlExecutor, spec: TableRebuildSpec): Promise<TableRebuildReport> {
  const table = assertIdentifier(spec.table, 'table');
  if (await foreignKeysOn(tx)) {
    // With foreign keys on, DROP TABLE runs an implicit DELETE that cascades into child tables (SQLite docs, "Foreign Key Support" §5).
    throw invalid(`Foreign keys are ON, so rebuilding ${table} would delete or block the rows that reference it.`, {
      hint: 'Run PRAGMA foreign_keys = OFF outside the transaction first (setForeignKeys), or use rebuildTable.',
    });
  }
  const kind = await tableKind(tx, table);
  if (kind === undefined) throw invalid(`Table ${table} does not exist.`);
  if (kind !== 'table') throw invalid(`${table} is a ${kind === 'view' ? 'view' : `${kind} table`}; only ordinary tables can be rebuilt.`);

  const created = parseCreateTable(spec.createTableSql, table);
  const expressions = Object.entries(spec.columnExpressions ?? {});
  for (const [column, expression] of expressions) checkExpression(column, expression);

  // A leading underscore is outside the identifier pattern, so no Spine table has this name; anything else is checked.
  const tempName = `_spine_rebuild_${table}`;
  const quotedTemp = `"${tempName}"`;
  if ((await schemaRows(tx)).some((row) => row.name.toLowerCase() === tempName)) {
    throw invalid(`A schema object named ${tempName} already exists; it is in the way of the rebuild of ${table}.`, {
      hint: `Drop ${tempName}; it is not a Market Spine table.`,
    });
  }

  const dependents = await dependentObjects(tx, table);
  const oldColumns = await columnsOf(tx, table);
  const oldWithoutRowid = await withoutRowid(tx, table);
  const oldSequence = await sequenceOf(tx, table);

  await step(`Creating the new definition of ${table} failed`, () => tx.exec(created.sql(quotedTemp)));
  const newColumns = await columnsOf(tx, tempName);
  const newWithoutRowid = await withoutRowid(tx, tempName);
  const newAlias = newWithoutRowid ? undefined : await rowidAlias(tx, tempName);

  const oldNames = new Set(oldColumns.map((c) => c.name.toLowerCase()));
  const newNames = new Set(newColumns.map((c) => c.name.toLowerCase()));
  const expressionOf = new Map(expressions.map(([column, expression]) => [column.toLowerCase(), expression]));
  for (const column of expressionOf.keys()) {
    const target = newColumns.find((c) => c.name.toLowerCase() === column);
    if (!target) throw invalid(`columnExpressions names ${column}, which is not a column of the new definition of ${table}.`);
    if (target.generated) throw invalid(`columnExpressions names ${column}, a generated column of the new definition of ${table}; its value cannot be set.`);
  }

  const targets: string[] = [];
  const sources: string[] = [];
  const copied = new Set<string>();
  for (const column of newColumns) {
    if (column.generated) continue;
    const key = column.name.toLowerCase();
    const expression = expressionOf.get(key);
    if (expression !== undefined) {
      copied.add(key);
      targets.push(quoteIdentifier(column.name, 'column'));
      sources.push(`(${expression})`);
    } else if (oldNames.has(key)) {
      copied.add(key);
      targets.push(quoteIdentifier(column.name, 'column'));
      // The new name, quoted, resolves to the old column whatever its case: SQLite names are case-insensitive.
      sources.push(quoteIdentifier(column.name, 'column'));
    } else if (column.notNull && column.defaultValue === null && key !== newAlias?.toLowerCase()) {
      // An INTEGER PRIMARY KEY left out is filled from the rowid, so only other NOT NULL columns need a value.
      throw invalid(`New column ${table}.${column.name} is NOT NULL but has no DEFAULT and no expression, so the existing rows have no value for it.`, {
        hint: `Give it a DEFAULT, or a columnExpressions entry such as { ${column.name}: '<expression over the old row>' }.`,
      });
    }
  }

  // Rows of a rowid table without an INTEGER PRIMARY KEY are still known by their
  // rowid (foreign_key_check reports, FTS external-content tables, callers that kept
  // it); INSERT … SELECT would renumber them, so the rowid is copied when the new
  // table is a rowid table whose rowid is not already set through a copied alias column.
  const oldRowid = rowidName(oldNames);
  const newRowid = rowidName(newNames);
  const aliasCopied = newAlias !== undefined && copied.has(newAlias.toLowerCase());
  if (!oldWithoutRowid && !newWithoutRowid && !aliasCopied && oldRowid !== undefined && newRowid !== undefined) {
    targets.push(newRowid);
    sources.push(oldRowid);
  }
  if (targets.length === 0) {
    throw invalid(`The new definition of ${table} shares no column with the old one and columnExpressions is empty, so no row could be copied.`);
  }

  const copy = await step(`Copying the rows of ${table} into its new definition failed`, () =>
    sql.raw(`INSERT INTO ${quotedTemp} (${targets.join(', ')}) SELECT ${sources.join(', ')} FROM ${quoteIdentifier(table, 'table')}`).execute(tx.kysely),
  );

  // Views and triggers of other tables that name the table would make the rename fail
  // ("error in view v: no such table") while the table is gone, so they go first.
  for (const object of dependents.filter((d) => d.dropExplicitly && d.type === 'trigger')) await tx.exec(`DROP TRIGGER ${quoteCatalogName(object.name)}`);
  for (const object of dependents.filter((d) => d.dropExplicitly && d.type === 'view')) await tx.exec(`DROP VIEW ${quoteCatalogName(object.name)}`);
  // Foreign keys are off, so this drops no child row (no implicit DELETE, no cascade).
  await tx.exec(`DROP TABLE ${quoteIdentifier(table, 'table')}`);
  // Renaming the NEW table (rather than first renaming the old one away) leaves every
  // REFERENCES <table> in child tables as it is: SQLite 3.26+ rewrites only references
  // to the renamed name, which nothing but the new table itself carries. This holds
  // with legacy_alter_table ON or OFF (SQLite docs, "ALTER TABLE RENAME", compatibility note).
  await step(`Renaming the new definition of ${table} into place failed`, () => tx.exec(`ALTER TABLE ${quotedTemp} RENAME TO ${quoteIdentifier(table, 'table')}`));

  if (created.autoincrement && oldSequence !== undefined) {
    // AUTOINCREMENT promises never to reuse an id (SQLite docs, "Autoincrement"); the copy only knows the largest surviving one.
    const raised = await sql`UPDATE sqlite_sequence SET seq = max(seq, ${oldSequence}) WHERE name = ${table}`.execute(tx.kysely);
    if (raised.numAffectedRows === 0n) await sql`INSERT INTO sqlite_sequence (name, seq) VALUES (${table}, ${oldSequence})`.execute(tx.kysely);
  }

  for (const object of dependents) {
    await step(`Recreating ${object.type} ${object.name} after the rebuild of ${table} failed`, () => tx.exec(object.sql), recreateHint);
  }
  for (const object of dependents) await checkCompiles(tx, object);
  await checkForeignKeys(tx, table);

  const byType = (type: DependentObject['type']): string[] => dependents.filter((d) => d.type === type).map((d) => d.name);
  return {
    table,
    rowsCopied: Number(copy.numAffectedRows ?? 0n),
    droppedColumns: oldColumns.filter((c) => !newNames.has(c.name.toLowerCase())).map((c) => c.name),
    addedColumns: newColumns.filter((c) => !oldNames.has(c.name.toLowerCase())).map((c) => c.name),
    recreated: { indexes: byType('index'), triggers: byType('trigger'), views: byType('view') },
  };
}

const recreateHint =
  'Drop or change the object in the migration before the rebuild and create its new form after it; the transaction was rolled back.';

function invalid(message: string, options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {}): SpineError {
  return new SpineError(ErrorCode.REBUILD_INVALID, message, {
    hint: options.hint ?? 'Fix the rebuild (createTableSql, columnExpressions) and run it again; the transaction was rolled back.',
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    ...(options.details === undefined ? {} : { details: options.details }),
  });
}

/** Runs one step; a database error becomes `REBUILD_INVALID` saying which step failed. */
async function step<T>(what: string, fn: () => Promise<T>, hint?: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SpineError) throw error;
    throw invalid(`${what}: ${errorMessage(error)}`, { cause: error, ...(hint === undefined ? {} : { hint }) });
  }
}

async function foreignKeysOn(executor: SqlExecutor): Promise<boolean> {
  const result = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(executor.kysely);
  return result.rows[0]?.foreign_keys === 1;
}

/** `table`, `view`, `virtual` or `shadow` for a name of the main schema (`pragma_table_list`, SQLite 3.37+); undefined when absent. */
async function tableKind(tx: SqlExecutor, table: string): Promise<string | undefined> {
  const result = await sql<{ type: string }>`
    SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = ${table} COLLATE NOCASE`.execute(tx.kysely);
  return result.rows[0]?.type;
}

async function withoutRowid(tx: SqlExecutor, table: string): Promise<boolean> {
  const result = await sql<{ wr: number }>`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ${table} COLLATE NOCASE`.execute(
    tx.kysely,
  );
  return result.rows[0]?.wr === 1;
}

interface TableColumn {
  readonly name: string;
  readonly notNull: boolean;
  readonly defaultValue: string | null;
  /** A generated column (`hidden` 2 or 3 in `pragma_table_xinfo`): readable, never written. */
  readonly generated: boolean;
}

async function columnsOf(tx: SqlExecutor, table: string): Promise<TableColumn[]> {
  const result = await sql<{ name: string; notnull: number; dflt_value: string | null; hidden: number }>`
    SELECT name, "notnull", dflt_value, hidden FROM pragma_table_xinfo(${table})`.execute(tx.kysely);
  return result.rows.map((row) => ({
    name: row.name,
    notNull: row.notnull === 1,
    defaultValue: row.dflt_value,
    generated: row.hidden === 2 || row.hidden === 3,
  }));
}

/**
 * The column that aliases the rowid of a rowid table, if any. A single-column
 * primary key is an alias exactly when SQLite built no `pk` index for it
 * (SQLite docs, "ROWIDs and the INTEGER PRIMARY KEY"), which also covers the
 * `INTEGER PRIMARY KEY DESC` quirk without parsing the type.
 */
async function rowidAlias(tx: SqlExecutor, table: string): Promise<string | undefined> {
  const keys = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}) WHERE pk > 0`.execute(tx.kysely);
  const pkIndexes = await sql<{ name: string }>`SELECT name FROM pragma_index_list(${table}) WHERE origin = 'pk'`.execute(tx.kysely);
  return keys.rows.length === 1 && pkIndexes.rows.length === 0 ? keys.rows[0]?.name : undefined;
}

/** The first of SQLite's three rowid names that no column shadows (SQLite docs, "ROWIDs and the INTEGER PRIMARY KEY"). */
function rowidName(columns: ReadonlySet<string>): string | undefined {
  return ['rowid', '_rowid_', 'oid'].find((name) => !columns.has(name));
}

async function sequenceOf(tx: SqlExecutor, table: string): Promise<number | undefined> {
  if (!(await schemaRows(tx)).some((row) => row.name === 'sqlite_sequence')) return undefined;
  const result = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = ${table} COLLATE NOCASE`.execute(tx.kysely);
  return result.rows[0]?.seq;
}

interface SchemaRow {
  readonly type: string;
  readonly name: string;
  readonly tableName: string;
  readonly sql: string | null;
}

/** All of `sqlite_schema` in creation order (rowid), so recreated objects come back in an order that worked before. */
async function schemaRows(tx: SqlExecutor): Promise<SchemaRow[]> {
  const result = await sql<SchemaRow>`SELECT type, name, tbl_name AS "tableName", sql FROM sqlite_schema ORDER BY rowid`.execute(tx.kysely);
  return result.rows;
}

interface DependentObject {
  readonly type: 'index' | 'trigger' | 'view';
  readonly name: string;
  readonly tableName: string;
  readonly sql: string;
  /** False for objects that DROP TABLE / DROP VIEW of their owner removes by itself. */
  readonly dropExplicitly: boolean;
}

/**
 * The objects to drop and recreate: indexes and triggers of the table, views
 * that name it, triggers of other tables that name it, and (transitively)
 * views and triggers that name such a view. Step 3 of the 12-step procedure
 * reads them from `sqlite_schema`; autoindexes (`sql` NULL) come back with the
 * new table's constraints.
 */
async function dependentObjects(tx: SqlExecutor, table: string): Promise<DependentObject[]> {
  const rows = (await schemaRows(tx)).filter(
    (row): row is SchemaRow & { sql: string; type: DependentObject['type'] } =>
      row.sql !== null && (row.type === 'index' || row.type === 'trigger' || row.type === 'view'),
  );
  const gone = new Set([table]);
  const chosen = new Set<SchemaRow>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (chosen.has(row)) continue;
      const owner = row.tableName.toLowerCase();
      const picked = row.type === 'index' ? owner === table : gone.has(owner) || namesAny(row.sql, gone);
      if (!picked) continue;
      chosen.add(row);
      if (row.type === 'view') {
        gone.add(row.name.toLowerCase());
        grew = true;
      }
    }
  }
  return rows
    .filter((row) => chosen.has(row))
    .map((row) => ({
      type: row.type,
      name: row.name,
      tableName: row.tableName,
      sql: row.sql,
      dropExplicitly: row.type === 'view' || (row.type === 'trigger' && !gone.has(row.tableName.toLowerCase())),
    }));
}

/**
 * True when the statement uses one of `names` as an identifier. Errs on the side
 * of yes (a column spelled like the table, SQL the parser does not know): such
 * an object is only dropped and created again unchanged.
 */
function namesAny(statement: string, names: ReadonlySet<string>): boolean {
  let program: Program;
  try {
    program = parse(statement, { dialect: 'sqlite' });
  } catch {
    return true;
  }
  let found = false;
  walk(program, (node) => {
    if (node.type === 'identifier' && names.has(node.name.toLowerCase())) found = true;
  });
  return found;
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node !== null && typeof node === 'object') {
    if ('type' in node && typeof node.type === 'string') visit(node as Node);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

interface ParsedCreateTable {
  /** The statement with the table name replaced by `name` (already quoted). */
  sql(name: string): string;
  /** The definition declares an AUTOINCREMENT column. */
  readonly autoincrement: boolean;
}

function parseCreateTable(createTableSql: string, table: string): ParsedCreateTable {
  let program: Program;
  try {
    program = parse(createTableSql, { dialect: 'sqlite', includeRange: true });
  } catch (error) {
    throw invalid(`createTableSql for ${table} is not valid SQLite: ${errorMessage(error)}`, { cause: error });
  }
  const statements = program.statements.filter((s) => s.type !== 'empty');
  const create = statements[0];
  if (statements.length !== 1 || create?.type !== 'create_table_stmt') {
    throw invalid(`createTableSql for ${table} must be exactly one CREATE TABLE statement; it holds ${statements.length} statement(s).`);
  }
  const stmt: CreateTableStmt = create;
  if (stmt.kind || stmt.orReplaceKw || !stmt.columns) {
    throw invalid(`createTableSql for ${table} must be a plain CREATE TABLE ${table} (…) with a column list (no TEMP, no AS SELECT).`);
  }
  if (stmt.name.type !== 'identifier' || stmt.name.name !== table || !stmt.name.range || !stmt.range) {
    const named = stmt.name.range ? createTableSql.slice(stmt.name.range[0], stmt.name.range[1]) : 'another table';
    throw invalid(`createTableSql creates ${named}, not ${table}.`);
  }
  const [start, end] = stmt.range;
  const [nameStart, nameEnd] = stmt.name.range;
  let autoincrement = false;
  walk(stmt, (node) => {
    if (node.type === 'constraint_auto_increment') autoincrement = true;
  });
  return {
    sql: (name) => createTableSql.slice(start, nameStart) + name + createTableSql.slice(nameEnd, end),
    autoincrement,
  };
}

/** An expression must be one SQL expression (no alias, no second column, no second statement). */
function checkExpression(column: string, expression: string): void {
  let program: Program | undefined;
  try {
    program = parse(`SELECT ${expression}`, { dialect: 'sqlite' });
  } catch {
    program = undefined;
  }
  const statements = program?.statements.filter((s) => s.type !== 'empty') ?? [];
  const select = statements[0];
  const clause = select?.type === 'select_stmt' && select.clauses.length === 1 ? select.clauses[0] : undefined;
  const items = clause?.type === 'select_clause' && clause.modifiers.length === 0 ? (clause.columns?.items ?? []) : [];
  const item = items[0];
  const plainExpression =
    statements.length === 1 && items.length === 1 && item !== undefined && !['alias', 'all_columns', 'empty'].includes(item.type);
  if (!plainExpression) {
    throw invalid(`columnExpressions.${column} is not a single SQL expression: ${JSON.stringify(expression)}.`);
  }
}

/**
 * Creating a view or trigger does not resolve the names in its body, so a
 * recreated object that uses a column the new table lacks would only fail
 * later. Preparing a statement compiles it: a view is selected with LIMIT 0;
 * a trigger's table gets no-op DML statements (`WHERE 0`), which compile its
 * trigger bodies without running them — all three kinds for a table, only
 * the trigger's own event for a view (other DML on a view is refused).
 */
async function checkCompiles(tx: SqlExecutor, object: DependentObject): Promise<void> {
  if (object.type === 'index') return;
  const what = `${object.type === 'view' ? 'View' : 'Trigger'} ${object.name} no longer fits the new definition`;
  if (object.type === 'view') {
    await step(what, () => tx.exec(`SELECT * FROM ${quoteCatalogName(object.name)} LIMIT 0`), recreateHint);
    return;
  }
  const target = quoteCatalogName(object.tableName);
  const columns = (await columnsOf(tx, object.tableName)).filter((c) => !c.generated).map((c) => quoteCatalogName(c.name));
  const statements: Record<string, string> = {
    INSERT: `INSERT INTO ${target} (${columns[0]}) SELECT ${columns[0]} FROM ${target} WHERE 0`,
    UPDATE: `UPDATE ${target} SET ${columns.map((c) => `${c} = ${c}`).join(', ')} WHERE 0`,
    DELETE: `DELETE FROM ${target} WHERE 0`,
  };
  const events = (await tableKind(tx, object.tableName)) === 'view' ? triggerEvents(object.sql) : Object.keys(statements);
  for (const event of events) {
    const statement = statements[event];
    if (statement !== undefined) await step(what, () => tx.exec(statement), recreateHint);
  }
}

/** The events of a `CREATE TRIGGER`; none when the parser does not know its syntax (the check is then skipped). */
function triggerEvents(createTrigger: string): string[] {
  const events: string[] = [];
  try {
    walk(parse(createTrigger, { dialect: 'sqlite' }), (node) => {
      if (node.type === 'trigger_event') events.push(node.eventKw.name);
    });
  } catch {
    return [];
  }
  return events;
}

interface ForeignKeyViolation {
  readonly table: string;
  readonly rowid: number | null;
  readonly parent: string;
}

/** At most this many violations are listed in the error's details. */
const MAX_LISTED_VIOLATIONS = 100;

/**
 * Step 10: `foreign_key_check` on the rebuilt table (its own keys) and on
 * every table whose keys reference it. Unrelated tables are not checked, so
 * an old violation elsewhere does not block the rebuild.
 */
async function checkForeignKeys(tx: SqlExecutor, table: string): Promise<void> {
  const children = await sql<{ name: string }>`
    SELECT DISTINCT m.name AS name FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f
    WHERE m.type = 'table' AND f."table" = ${table} COLLATE NOCASE`.execute(tx.kysely);
  const tables = [table, ...children.rows.map((row) => row.name).filter((name) => name.toLowerCase() !== table)];
  const violations: ForeignKeyViolation[] = [];
  for (const checked of tables) {
    let rows: ForeignKeyViolation[];
    try {
      rows = (
        await sql<ForeignKeyViolation>`SELECT "table", rowid, parent FROM pragma_foreign_key_check(${checked}) LIMIT ${MAX_LISTED_VIOLATIONS}`.execute(
          tx.kysely,
        )
      ).rows;
    } catch (error) {
      // For example "foreign key mismatch": the parent key is no longer a PRIMARY KEY or UNIQUE column set.
      throw new SpineError(ErrorCode.REBUILD_FOREIGN_KEY_VIOLATION, `Checking the foreign keys of ${checked} after rebuilding ${table} failed: ${errorMessage(error)}`, {
        hint: 'Keep the referenced columns a PRIMARY KEY or UNIQUE in the new definition; the rebuild was rolled back.',
        details: { table, checked },
        cause: error,
      });
    }
    violations.push(...rows);
  }
  if (violations.length === 0) return;
  const listed = violations.slice(0, 5).map((v) => `${v.table} rowid ${v.rowid ?? '(without rowid)'} → ${v.parent}`);
  throw new SpineError(
    ErrorCode.REBUILD_FOREIGN_KEY_VIOLATION,
    `Rebuilding ${table} would leave rows that violate foreign keys: ${listed.join('; ')}${violations.length > listed.length ? '; …' : ''}.`,
    {
      hint: 'Fix or delete the listed rows (or map them with columnExpressions) before the rebuild; the rebuild was rolled back.',
      details: { table, violations: violations.slice(0, MAX_LISTED_VIOLATIONS) },
    },
  );
}
