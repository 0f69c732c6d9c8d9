import { sql } from 'kysely';
import { parse, show } from 'sql-parser-cst';
import type { CreateIndexStmt, CreateTableStmt, Node, Statement } from 'sql-parser-cst';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import type { ColumnSnapshot, IndexSnapshot, SchemaSnapshot, TableSnapshot } from '../../schema/schema-snapshot.js';
import type { SqlExecutor } from '../types.js';
import type { TableXInfoRow } from './sqlite-introspector.js';

interface SchemaRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  tbl_name: string;
  sql: string | null;
}


interface IndexListRow {
  name: string;
  unique: number;
  origin: string;
}

interface IndexXInfoRow {
  seqno: number;
  cid: number;
  name: string | null;
  desc: number;
  coll: string | null;
}

interface ForeignKeyRow {
  id: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

type ForeignKeySnapshot = TableSnapshot['foreignKeys'][number];

/**
 * Takes a comparable snapshot of a live SQLite schema: columns from
 * `pragma_table_xinfo`, indexes from `pragma_index_list`/`pragma_index_xinfo`,
 * foreign keys from `pragma_foreign_key_list`, and CHECK constraints, index
 * expressions, partial-index conditions, views and triggers from the SQL kept
 * in `sqlite_schema`, parsed with sql-parser-cst.
 *
 * Names are lower-cased and SQL text is normalized (keywords, identifiers,
 * spacing; comments and constraint names dropped), so two databases that
 * reached the same schema by different paths — other whitespace, case,
 * quoting or comments, a column declared in `CREATE TABLE` or appended by
 * `ALTER TABLE … ADD COLUMN` — give equal snapshots.
 * Internal `sqlite_*` objects are left out; automatic indexes appear as their
 * table's `uniques`, never as indexes.
 *
 * @throws SpineError `UNSUPPORTED` when stored SQL is outside the grammar sql-parser-cst knows
 */
export async function snapshotSqliteSchema(executor: SqlExecutor): Promise<SchemaSnapshot> {
  const rows = (
    await sql<SchemaRow>`
      SELECT type, name, tbl_name, sql FROM sqlite_schema
      WHERE type IN ('table', 'index', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      ORDER BY name`.execute(executor.kysely)
  ).rows;
  const indexSql = new Map(rows.flatMap((row) => (row.type === 'index' && row.sql !== null ? [[row.name, row.sql] as const] : [])));
  const snapshot: SchemaSnapshot = { dialect: 'sqlite', tables: {}, indexes: {}, views: {}, triggers: {} };
  const indexes: [string, IndexSnapshot][] = [];
  for (const row of rows) {
    const name = foldCase(row.name);
    if (row.type === 'table') {
      const table = await snapshotTable(executor, row, indexSql);
      snapshot.tables[name] = table.table;
      indexes.push(...table.indexes);
    } else if (row.type === 'view') {
      snapshot.views[name] = { sql: renderStatement(parseStored(row.sql, `view ${row.name}`)) };
    } else if (row.type === 'trigger') {
      snapshot.triggers[name] = { table: foldCase(row.tbl_name), sql: renderStatement(parseStored(row.sql, `trigger ${row.name}`)) };
    }
  }
  for (const [name, index] of indexes.sort(([a], [b]) => compareStrings(a, b))) snapshot.indexes[name] = index;
  return snapshot;
}

/** A table and the indexes created on it by `CREATE INDEX`. */
async function snapshotTable(
  executor: SqlExecutor,
  row: SchemaRow,
  indexSql: ReadonlyMap<string, string>,
): Promise<{ table: TableSnapshot; indexes: [string, IndexSnapshot][] }> {
  const xinfo = await sql<TableXInfoRow>`SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(${row.name})`.execute(
    executor.kysely,
  );
  const columns = xinfo.rows.map((column): ColumnSnapshot => {
    const snapshot: ColumnSnapshot = {
      name: foldCase(column.name),
      type: normalizeType(column.type),
      notNull: column.notnull === 1,
      default: column.dflt_value === null ? null : normalizeDefault(column.dflt_value, `${row.name}.${column.name}`),
      primaryKeyPosition: column.pk,
    };
    if (column.hidden !== 0) snapshot.hidden = column.hidden;
    return snapshot;
  });

  const statement = parseStored(row.sql, `table ${row.name}`);
  // A virtual table's stored SQL is `CREATE VIRTUAL TABLE … USING`, with no constraints to read.
  const create = statement.type === 'create_table_stmt' ? statement : undefined;
  const table: TableSnapshot = {
    columns,
    checks: create ? checksOf(create) : [],
    uniques: [],
    foreignKeys: await foreignKeysOf(executor, row.name),
  };
  if (create && isWithoutRowid(create)) table.withoutRowid = true;

  const indexes: [string, IndexSnapshot][] = [];
  const indexList = await sql<IndexListRow>`SELECT name, "unique", origin FROM pragma_index_list(${row.name})`.execute(executor.kysely);
  for (const index of indexList.rows) {
    if (index.origin === 'u') {
      table.uniques.push((await keyColumns(executor, index.name)).map((key) => foldCase(key.name ?? 'rowid')));
    } else if (index.origin === 'c') {
      indexes.push([foldCase(index.name), await snapshotIndex(executor, index, foldCase(row.name), indexSql.get(index.name))]);
    }
    // origin 'pk' is the primary key's own index: already recorded as the columns' primaryKeyPosition.
  }
  table.uniques.sort((a, b) => compareStrings(a.join(','), b.join(',')));
  return { table, indexes };
}

async function keyColumns(executor: SqlExecutor, index: string): Promise<IndexXInfoRow[]> {
  const result = await sql<IndexXInfoRow>`SELECT seqno, cid, name, "desc", coll FROM pragma_index_xinfo(${index}) WHERE "key" = 1 ORDER BY seqno`.execute(
    executor.kysely,
  );
  return result.rows;
}

async function snapshotIndex(executor: SqlExecutor, index: IndexListRow, table: string, createSql: string | undefined): Promise<IndexSnapshot> {
  const statement = parseStored(createSql ?? null, `index ${index.name}`);
  if (statement.type !== 'create_index_stmt') {
    throw new SpineError(ErrorCode.UNSUPPORTED, `The stored SQL of index ${index.name} is not a CREATE INDEX statement.`);
  }
  const specs = indexSpecifications(statement);
  const columns = (await keyColumns(executor, index.name)).map((key) => {
    let text: string;
    if (key.cid === -2) {
      // An expression: the pragma has no text for it, the CREATE INDEX statement does.
      const spec = specs[key.seqno];
      if (spec === undefined) {
        throw new SpineError(ErrorCode.UNSUPPORTED, `Cannot find expression ${key.seqno + 1} of index ${index.name} in its CREATE INDEX statement.`);
      }
      text = renderExpr(spec);
    } else {
      text = foldCase(key.cid === -1 ? 'rowid' : (key.name ?? 'rowid'));
      if (key.coll !== null && key.coll.toUpperCase() !== 'BINARY') text += ` COLLATE ${canonicalIdentifier(key.coll)}`;
    }
    return key.desc === 1 ? `${text} DESC` : text;
  });
  const where = statement.clauses.find((clause) => clause.type === 'where_clause');
  return { table, unique: index.unique === 1, columns, where: where ? renderExpr(where.expr) : null };
}

function indexSpecifications(statement: CreateIndexStmt): Node[] {
  const list = statement.columns.expr;
  return list.type === 'list_expr' ? list.items.map((item) => item.expr) : [];
}

async function foreignKeysOf(executor: SqlExecutor, table: string): Promise<ForeignKeySnapshot[]> {
  const rows = (
    await sql<ForeignKeyRow>`SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(${table}) ORDER BY id, seq`.execute(
      executor.kysely,
    )
  ).rows;
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  const foreignKeys: ForeignKeySnapshot[] = [];
  for (const parts of byId.values()) {
    const first = parts[0]!;
    // `REFERENCES parent` without columns means the parent's primary key: resolve it so both spellings compare equal.
    const parentKey = parts.some((part) => part.to === null) ? await primaryKeyOf(executor, first.table) : [];
    foreignKeys.push({
      columns: parts.map((part) => foldCase(part.from)),
      table: foldCase(first.table),
      references: parts.map((part, i) => foldCase(part.to ?? parentKey[i] ?? '')),
      onDelete: first.on_delete.toUpperCase(),
      onUpdate: first.on_update.toUpperCase(),
    });
  }
  return foreignKeys.sort((a, b) => compareStrings(`${a.columns.join(',')}>${a.table}`, `${b.columns.join(',')}>${b.table}`));
}

async function primaryKeyOf(executor: SqlExecutor, table: string): Promise<string[]> {
  const result = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}) WHERE pk > 0 ORDER BY pk`.execute(executor.kysely);
  return result.rows.map((row) => row.name);
}

function checksOf(create: CreateTableStmt): string[] {
  const checks: string[] = [];
  for (const item of create.columns?.expr.items ?? []) {
    // Column-level and table-level CHECKs constrain the row alike (either may name any column), so both go in one list.
    const constraints: Node[] = item.type === 'column_definition' ? item.constraints : [item];
    for (const node of constraints) {
      const constraint = node.type === 'constraint' ? node.constraint : node;
      if (constraint.type === 'constraint_check') checks.push(renderExpr(constraint.expr));
    }
  }
  return checks.sort();
}

function isWithoutRowid(create: CreateTableStmt): boolean {
  return (create.options?.items ?? []).some((option) => Array.isArray(option.name) && option.name.some((kw) => kw.name === 'ROWID'));
}

function parseStored(text: string | null, what: string): Statement {
  try {
    const statement = text === null ? undefined : parse(text, { dialect: 'sqlite' }).statements[0];
    if (statement === undefined) throw new Error('no SQL stored');
    return statement;
  } catch (error) {
    throw new SpineError(ErrorCode.UNSUPPORTED, `Cannot read the stored SQL of ${what}: ${errorMessage(error)}`, {
      hint: 'The schema snapshot parses stored SQL with sql-parser-cst; this statement uses syntax it does not know.',
      cause: error,
    });
  }
}

/** The declared type as SQLite keeps it (original spelling) in one canonical form: `decimal( 10,2 )` → `DECIMAL(10, 2)`. */
function normalizeType(type: string): string {
  return type
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)/g, ')')
    .replace(/\s*,\s*/g, ', ')
    .trim();
}

function normalizeDefault(text: string, column: string): string {
  // SQLite keeps a default as expression text; parsing it as a select column gives its tree.
  const statement = parseStored(`SELECT ${text}`, `the default of column ${column}`);
  const clause = statement.type === 'select_stmt' ? statement.clauses[0] : undefined;
  const expr = clause?.type === 'select_clause' ? clause.columns?.items[0] : undefined;
  if (expr === undefined) throw new SpineError(ErrorCode.UNSUPPORTED, `Cannot read the default of column ${column}: ${text}`);
  return renderExpr(expr);
}

/** `IF NOT EXISTS` is dropped: it does not change the object a CREATE statement made. */
function renderStatement(statement: Statement): string {
  return render({ ...statement, ifNotExistsKw: undefined } as Node);
}

/** Renders an expression without redundant outer parentheses (`CHECK ((a))` is `CHECK (a)`). */
function renderExpr(expr: Node): string {
  let node = expr;
  while (node.type === 'paren_expr' && node.expr.type !== 'list_expr') node = node.expr;
  return render(node);
}

/**
 * Normalized text of a node. The sql-parser-cst tree is copied without source
 * positions, whitespace or comments; keywords are written by their canonical
 * upper-case name; identifiers are ASCII-lower-cased and written bare when
 * plain (`[a-z_][a-z0-9_]*`), double-quoted otherwise; number and blob
 * literals get one letter case; string literals stay as written. The copy is
 * printed with sql-parser-cst's `show` and its tokens re-joined with fixed
 * spacing (`f(a, b)`, `t.c`, `x >= 0`, `-1`): a readable, stable string such
 * as `market_share BETWEEN 0 AND 1`.
 */
function render(node: Node): string {
  return joinTokens(tokenize(show(canonicalCopy(node) as Node)));
}

/** One space after every node, so `show` never glues two words; `joinTokens` then sets the final spacing. */
const TRAILING_SPACE = [{ type: 'space', text: ' ' }];

function canonicalCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalCopy);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== 'range' && key !== 'leading' && key !== 'trailing') copy[key] = canonicalCopy(inner);
  }
  if (typeof copy['type'] !== 'string') return copy;
  copy['trailing'] = TRAILING_SPACE;
  switch (copy['type']) {
    case 'keyword':
      copy['text'] = copy['name'];
      break;
    case 'identifier':
      copy['text'] = canonicalIdentifier(String(copy['name']));
      break;
    case 'number_literal':
      copy['text'] = String(copy['text']).toLowerCase();
      break;
    case 'blob_literal':
      copy['text'] = String(copy['text']).toUpperCase();
      break;
  }
  return copy;
}

/** SQLite folds only ASCII letters when it compares identifiers. */
function foldCase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function canonicalIdentifier(name: string): string {
  const folded = foldCase(name);
  return /^[a-z_][a-z0-9_]*$/.test(folded) ? folded : `"${folded.replace(/"/g, '""')}"`;
}

const TOKEN =
  /\s+|'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[xX]'[^']*'|0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|[?:@$]\w*|->>|->|\|\||<<|>>|<=|>=|==|!=|<>|\S/gy;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    if (!/^\s/.test(match[0])) tokens.push(match[0]);
  }
  return tokens;
}

/** Keywords after which `-` or `+` is still a binary operator (they end an operand). */
const OPERAND_KEYWORDS = new Set(['NULL', 'TRUE', 'FALSE', 'END', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP']);

const isKeyword = (token: string): boolean => /^[A-Za-z_][\w$]*$/.test(token) && /[A-Z]/.test(token);
const isName = (token: string): boolean => /^["`[]/.test(token) || (/^[a-z_][\w$]*$/.test(token) && !isKeyword(token));
const isPunctuation = (token: string): boolean => !/^[\w'"`[\u0080-\uffff$?:@.]/.test(token) || token === '.';

function joinTokens(tokens: readonly string[]): string {
  let out = '';
  let prev: string | undefined;
  let signPrefix = false;
  for (const token of tokens) {
    const space =
      prev !== undefined &&
      !signPrefix &&
      !(token === ')' || token === ',' || token === ';' || token === '.') &&
      !(prev === '(' || prev === '.') &&
      !(token === '(' && isName(prev));
    out += space ? ` ${token}` : token;
    // A sign where an operand must start is unary and binds to what follows: `DEFAULT -1`, `BETWEEN -1 AND 1`.
    signPrefix =
      (token === '-' || token === '+' || token === '~') &&
      (prev === undefined || (isPunctuation(prev) && prev !== ')') || (isKeyword(prev) && !OPERAND_KEYWORDS.has(prev)));
    prev = token;
  }
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
