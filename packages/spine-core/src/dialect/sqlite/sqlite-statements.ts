import { parse } from 'sql-parser-cst';
import type { AlterTableStmt, ColumnDefinition, Node, Program, Statement } from 'sql-parser-cst';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import type { ParsedStatement, SchemaObjectRef } from '../types.js';
import { lineAt, lineStartOffsets } from '../script-lines.js';

/**
 * Splits a SQLite script into statements with sql-parser-cst, a full SQLite
 * grammar (v3.45): quoted strings and identifiers, `--` and block comments,
 * and `CREATE TRIGGER … BEGIN … END` bodies (whose inner semicolons, `CASE …
 * END` and words such as `trend` or `begin_date` do not end a statement).
 *
 * @param script SQLite SQL text
 * @param source file name, for error messages
 * @returns statements in script order; empty statements (stray `;`) dropped
 * @throws SpineError `MIGRATION_PARSE_FAILED` naming the file and the parser's line/column message
 */
export function splitSqliteStatements(script: string, source: string): ParsedStatement[] {
  let program: Program;
  try {
    program = parse(script, { dialect: 'sqlite', includeRange: true, filename: source });
  } catch (error) {
    throw new SpineError(ErrorCode.MIGRATION_PARSE_FAILED, `Cannot split ${source} into SQLite statements: ${errorMessage(error)}`, {
      hint: 'Fix the SQL at the position shown; the file is checked by a SQLite grammar before anything runs.',
      cause: error,
    });
  }
  const lineStarts = lineStartOffsets(script);
  const statements: ParsedStatement[] = [];
  for (const node of program.statements) {
    if (node.type === 'empty' || !node.range) continue;
    const [start, end] = node.range;
    statements.push({
      text: script.slice(start, end),
      line: lineAt(lineStarts, start),
      creates: createdObjects(node),
      drops: droppedObjects(node),
      dialectData: node,
    });
  }
  return statements;
}


/** The unqualified name of an entity name node (`t` or `main.t`). */
function entityName(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.name;
  if (node.type === 'member_expr' && node.property.type === 'identifier') return node.property.name;
  return undefined;
}

function createdObjects(node: Statement): SchemaObjectRef[] {
  const ref = (type: SchemaObjectRef['type'], name: string | undefined): SchemaObjectRef[] =>
    name === undefined ? [] : [{ type, name }];
  switch (node.type) {
    case 'create_table_stmt':
      return ref('table', entityName(node.name));
    case 'create_index_stmt':
      return ref('index', entityName(node.name));
    case 'create_view_stmt':
      return ref('view', entityName(node.name));
    case 'create_trigger_stmt':
      return ref('trigger', entityName(node.name));
    case 'alter_table_stmt':
      // ALTER TABLE a RENAME TO b creates b (and drops a, below).
      return node.actions.items.flatMap((action) => (action.type === 'alter_action_rename' ? ref('table', entityName(action.newName)) : []));
    default:
      return [];
  }
}

function droppedObjects(node: Statement): SchemaObjectRef[] {
  const refs = (type: SchemaObjectRef['type'], names: readonly Node[]): SchemaObjectRef[] =>
    names.flatMap((n) => {
      const name = entityName(n);
      return name === undefined ? [] : [{ type, name }];
    });
  switch (node.type) {
    case 'drop_table_stmt':
      return refs('table', node.tables.items);
    case 'drop_index_stmt':
      return refs('index', node.indexes.items);
    case 'drop_view_stmt':
      return refs('view', node.views.items);
    case 'drop_trigger_stmt':
      return refs('trigger', [node.trigger]);
    case 'alter_table_stmt':
      return node.actions.items.some((action) => action.type === 'alter_action_rename') ? refs('table', [node.table]) : [];
    default:
      return [];
  }
}

/** `ALTER TABLE t ADD [COLUMN] c …` seen in a statement: the table and the new column's definition. */
export interface AddColumnStatement {
  readonly table: string;
  readonly column: ColumnDefinition;
}

/** Recognises a single-action `ALTER TABLE … ADD COLUMN` statement. */
export function asAddColumn(statement: ParsedStatement): AddColumnStatement | undefined {
  const node = statement.dialectData as Statement | undefined;
  if (node?.type !== 'alter_table_stmt') return undefined;
  const alter = node as AlterTableStmt;
  const actions = alter.actions.items;
  const action = actions[0];
  if (actions.length !== 1 || action?.type !== 'alter_action_add_column') return undefined;
  const table = entityName(alter.table);
  return table === undefined ? undefined : { table, column: action.column };
}

/**
 * The column definition named `column` in a stored `CREATE TABLE` statement
 * (as kept in `sqlite_schema.sql`, which SQLite extends on `ADD COLUMN`).
 */
export function findColumnDefinition(createTableSql: string, column: string): { definition: ColumnDefinition; text: string } | undefined {
  const program = parse(createTableSql, { dialect: 'sqlite', includeRange: true });
  const create = program.statements[0];
  if (create?.type !== 'create_table_stmt' || !create.columns) return undefined;
  for (const item of create.columns.expr.items) {
    if (item.type === 'column_definition' && item.name.name.toLowerCase() === column.toLowerCase()) {
      const range = item.range;
      return { definition: item, text: range ? createTableSql.slice(range[0], range[1]) : item.name.name };
    }
  }
  return undefined;
}

/** The source text of a column definition node, taken from the statement it was parsed from. */
export function columnDefinitionText(statement: ParsedStatement, column: ColumnDefinition): string {
  const stmtNode = statement.dialectData as Statement;
  const base = stmtNode.range?.[0] ?? 0;
  const range = column.range;
  return range ? statement.text.slice(range[0] - base, range[1] - base) : column.name.name;
}

/**
 * A whitespace-, comment- and case-insensitive fingerprint of a column
 * definition: the syntax tree without source positions, keywords by their
 * canonical name, identifiers lower-cased (SQLite identifiers are
 * case-insensitive). Two definitions with the same fingerprint declare the
 * same column.
 */
export function columnFingerprint(definition: ColumnDefinition): string {
  return JSON.stringify(definition, (key, value: unknown) => {
    if (key === 'range') return undefined;
    if (value && typeof value === 'object' && 'type' in value) {
      const node = value as { type: string; name?: unknown };
      if (node.type === 'keyword') return { type: 'keyword', name: node.name };
      if (node.type === 'identifier' && typeof node.name === 'string') {
        return { type: 'identifier', name: node.name.toLowerCase() };
      }
    }
    return value;
  });
}
