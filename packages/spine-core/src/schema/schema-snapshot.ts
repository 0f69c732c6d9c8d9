import { ErrorCode, SpineError } from '../errors.js';

/** A column as a schema snapshot records it. */
export interface ColumnSnapshot {
  /** Column name, lower-cased (SQL identifiers are case-insensitive). */
  name: string;
  /** Declared type, normalized (upper-case, single spaces). */
  type: string;
  notNull: boolean;
  /** Normalized default expression, or null when there is none. */
  default: string | null;
  /** 1-based position within the primary key, 0 when not part of it. */
  primaryKeyPosition: number;
  /** Dialect's hidden/generated flag when not 0 (SQLite `table_xinfo.hidden`: 1 hidden, 2 virtual generated, 3 stored generated). */
  hidden?: number;
}

/** A table as a schema snapshot records it. */
export interface TableSnapshot {
  /** Columns in declaration order. */
  columns: ColumnSnapshot[];
  /** Normalized CHECK expressions (column- and table-level alike; constraint names are not kept), sorted. */
  checks: string[];
  /** Column lists of the UNIQUE constraints, sorted. */
  uniques: string[][];
  /** Foreign keys, sorted by their columns. */
  foreignKeys: { columns: string[]; table: string; references: string[]; onDelete: string; onUpdate: string }[];
  /** Present and true only for a `WITHOUT ROWID` table. */
  withoutRowid?: boolean;
}

/** An index created by `CREATE INDEX` (constraint indexes are `uniques` of their table). */
export interface IndexSnapshot {
  table: string;
  unique: boolean;
  /** Key columns in order, e.g. `week_ending`, `captured_at DESC`, or a normalized expression. */
  columns: string[];
  /** Normalized partial-index condition, or null. */
  where: string | null;
}

/** The schema of one database, dialect-neutral and comparable: names lower-cased, SQL text normalized. */
export interface SchemaSnapshot {
  /** The dialect the snapshot was taken from; only snapshots of one dialect compare. */
  dialect: string;
  tables: Record<string, TableSnapshot>;
  indexes: Record<string, IndexSnapshot>;
  views: Record<string, { sql: string }>;
  triggers: Record<string, { table: string; sql: string }>;
}

/** One difference between an expected and an actual schema. */
export type DriftItem = {
  /** `missing`: expected only; `extra`: actual only; `changed`: in both, different. */
  kind: 'missing' | 'extra' | 'changed';
  objectType: 'table' | 'column' | 'index' | 'view' | 'trigger' | 'check' | 'foreign_key' | 'unique';
  /** The object's name; for checks the expression, for uniques and foreign keys the column list. */
  name: string;
  /** The table a column, constraint, index or trigger belongs to. */
  table?: string;
  expected?: unknown;
  actual?: unknown;
  /** One human sentence, e.g. "column finra_x.total_volume: type INTEGER expected, REAL found". */
  detail: string;
};

type ObjectType = DriftItem['objectType'];
type ForeignKeySnapshot = TableSnapshot['foreignKeys'][number];

/** Table-level objects first, so a table's drift reads top-down. */
const OBJECT_TYPE_ORDER: Record<ObjectType, number> = {
  table: 0,
  column: 1,
  check: 2,
  unique: 3,
  foreign_key: 4,
  index: 5,
  trigger: 6,
  view: 7,
};
const KIND_ORDER: Record<DriftItem['kind'], number> = { missing: 0, extra: 1, changed: 2 };

/** Code-unit order: unlike `localeCompare`, the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two snapshots of one dialect.
 *
 * @param expected the schema the migrations should produce (e.g. a committed snapshot)
 * @param actual the live schema
 * @returns the differences — `missing`: in `expected` only, `extra`: in `actual` only,
 *   `changed`: in both but different — sorted by table, object type, name and kind;
 *   empty when the schemas match
 * @throws SpineError `INVALID_ARGUMENT` when the snapshots come from different dialects
 */
export function diffSchemas(expected: SchemaSnapshot, actual: SchemaSnapshot): DriftItem[] {
  if (expected.dialect !== actual.dialect) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot compare a ${expected.dialect} schema snapshot with a ${actual.dialect} one.`, {
      hint: 'Compare against the snapshot committed for the dialect of the database being checked.',
    });
  }
  const items: DriftItem[] = [];
  diffNamed(items, 'table', expected.tables, actual.tables, () => undefined, (name, e, a) => diffTable(items, name, e, a));
  diffNamed(items, 'index', expected.indexes, actual.indexes, (index) => index.table, (name, e, a) => {
    const changes: string[] = [];
    if (e.table !== a.table) changes.push(`table ${e.table} expected, ${a.table} found`);
    if (e.columns.join(', ') !== a.columns.join(', ')) changes.push(`columns (${e.columns.join(', ')}) expected, (${a.columns.join(', ')}) found`);
    if (e.unique !== a.unique) changes.push(`${uniqueWord(e.unique)} expected, ${uniqueWord(a.unique)} found`);
    if (e.where !== a.where) changes.push(`${whereText(e.where)} expected, ${whereText(a.where)} found`);
    if (changes.length > 0) items.push({ kind: 'changed', objectType: 'index', name, table: e.table, expected: e, actual: a, detail: `index ${name}: ${changes.join('; ')}` });
  });
  diffNamed(items, 'view', expected.views, actual.views, () => undefined, (name, e, a) => {
    if (e.sql !== a.sql) items.push({ kind: 'changed', objectType: 'view', name, expected: e, actual: a, detail: `view ${name}: ${definitionChange(e.sql, a.sql)}` });
  });
  diffNamed(items, 'trigger', expected.triggers, actual.triggers, (trigger) => trigger.table, (name, e, a) => {
    const changes: string[] = [];
    if (e.table !== a.table) changes.push(`table ${e.table} expected, ${a.table} found`);
    if (e.sql !== a.sql) changes.push(definitionChange(e.sql, a.sql));
    if (changes.length > 0) items.push({ kind: 'changed', objectType: 'trigger', name, table: e.table, expected: e, actual: a, detail: `trigger ${name}: ${changes.join('; ')}` });
  });
  return items.sort(compareDriftItems);
}

function compareDriftItems(a: DriftItem, b: DriftItem): number {
  return (
    compareStrings(a.table ?? a.name, b.table ?? b.name) ||
    OBJECT_TYPE_ORDER[a.objectType] - OBJECT_TYPE_ORDER[b.objectType] ||
    compareStrings(a.name, b.name) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind]
  );
}

/** Reports objects present on one side only, and hands objects present on both to `compare`. */
function diffNamed<T>(
  items: DriftItem[],
  objectType: 'table' | 'index' | 'view' | 'trigger',
  expected: Record<string, T>,
  actual: Record<string, T>,
  tableOf: (object: T) => string | undefined,
  compare: (name: string, expected: T, actual: T) => void,
): void {
  const label = (name: string, object: T): string => {
    const table = tableOf(object);
    return table === undefined ? `${objectType} ${name}` : `${objectType} ${name} on ${table}`;
  };
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (a === undefined) {
      items.push({ kind: 'missing', objectType, name, ...tableField(tableOf(e)), expected: e, detail: `${label(name, e)}: expected, not found` });
    } else {
      compare(name, e, a);
    }
  }
  for (const [name, a] of Object.entries(actual)) {
    if (!(name in expected)) {
      items.push({ kind: 'extra', objectType, name, ...tableField(tableOf(a)), actual: a, detail: `${label(name, a)}: found, not expected` });
    }
  }
}

function tableField(table: string | undefined): { table?: string } {
  return table === undefined ? {} : { table };
}

function diffTable(items: DriftItem[], table: string, expected: TableSnapshot, actual: TableSnapshot): void {
  const actualColumns = new Map(actual.columns.map((c) => [c.name, c]));
  const expectedNames = new Set(expected.columns.map((c) => c.name));
  for (const e of expected.columns) {
    const a = actualColumns.get(e.name);
    const name = `${table}.${e.name}`;
    if (a === undefined) {
      items.push({ kind: 'missing', objectType: 'column', name: e.name, table, expected: e, detail: `column ${name}: expected (${describeColumn(e)}), not found` });
      continue;
    }
    const changes = columnChanges(e, a);
    if (changes.length > 0) {
      items.push({ kind: 'changed', objectType: 'column', name: e.name, table, expected: e, actual: a, detail: `column ${name}: ${changes.join('; ')}` });
    }
  }
  for (const a of actual.columns) {
    if (!expectedNames.has(a.name)) {
      items.push({ kind: 'extra', objectType: 'column', name: a.name, table, actual: a, detail: `column ${table}.${a.name}: found (${describeColumn(a)}), not expected` });
    }
  }

  // Order matters to `SELECT *` and to views over `t.*`; added or dropped columns are reported above, not here.
  const expectedOrder = expected.columns.map((c) => c.name).filter((n) => actualColumns.has(n));
  const actualOrder = actual.columns.map((c) => c.name).filter((n) => expectedNames.has(n));
  if (expectedOrder.join(',') !== actualOrder.join(',')) {
    items.push({
      kind: 'changed',
      objectType: 'table',
      name: table,
      expected: expectedOrder,
      actual: actualOrder,
      detail: `table ${table}: column order (${expectedOrder.join(', ')}) expected, (${actualOrder.join(', ')}) found`,
    });
  }
  if (Boolean(expected.withoutRowid) !== Boolean(actual.withoutRowid)) {
    const word = (withoutRowid: boolean | undefined): string => (withoutRowid ? 'WITHOUT ROWID' : 'rowid table');
    items.push({
      kind: 'changed',
      objectType: 'table',
      name: table,
      expected: Boolean(expected.withoutRowid),
      actual: Boolean(actual.withoutRowid),
      detail: `table ${table}: ${word(expected.withoutRowid)} expected, ${word(actual.withoutRowid)} found`,
    });
  }

  diffConstraints(items, table, 'check', expected.checks, actual.checks, (c) => c, () => '', (c) => `CHECK (${c})`);
  diffConstraints(items, table, 'unique', expected.uniques, actual.uniques, (u) => u.join(', '), () => '', (u) => `UNIQUE (${u.join(', ')})`);
  diffConstraints(items, table, 'foreign_key', expected.foreignKeys, actual.foreignKeys, (fk) => fk.columns.join(', '), (fk) => fk.columns.join(','), describeForeignKey);
}

/**
 * Compares unnamed constraints as multisets of their descriptions. Leftovers
 * that share a pairing key (checks and uniques: the table; foreign keys: the
 * columns) and are alone on each side read better as one `changed` item.
 */
function diffConstraints<T>(
  items: DriftItem[],
  table: string,
  objectType: 'check' | 'unique' | 'foreign_key',
  expected: readonly T[],
  actual: readonly T[],
  nameOf: (constraint: T) => string,
  pairKey: (constraint: T) => string,
  describe: (constraint: T) => string,
): void {
  const unmatchedActual = [...actual];
  const unmatchedExpected: T[] = [];
  for (const e of expected) {
    const at = unmatchedActual.findIndex((a) => describe(a) === describe(e));
    if (at === -1) unmatchedExpected.push(e);
    else unmatchedActual.splice(at, 1);
  }
  const label = objectType === 'check' ? 'CHECK' : objectType === 'unique' ? 'UNIQUE' : 'foreign key';
  const where = (c: T): string => (objectType === 'foreign_key' ? `${table}(${nameOf(c)})` : table);
  for (const e of unmatchedExpected) {
    const partners = unmatchedActual.filter((a) => pairKey(a) === pairKey(e));
    const rivals = unmatchedExpected.filter((x) => pairKey(x) === pairKey(e));
    const a = partners[0];
    if (a !== undefined && partners.length === 1 && rivals.length === 1) {
      unmatchedActual.splice(unmatchedActual.indexOf(a), 1);
      items.push({ kind: 'changed', objectType, name: nameOf(e), table, expected: e, actual: a, detail: `${label} on ${where(e)}: ${describe(e)} expected, ${describe(a)} found` });
    } else {
      items.push({ kind: 'missing', objectType, name: nameOf(e), table, expected: e, detail: `${label} on ${where(e)}: ${describe(e)} expected, not found` });
    }
  }
  for (const a of unmatchedActual) {
    items.push({ kind: 'extra', objectType, name: nameOf(a), table, actual: a, detail: `${label} on ${where(a)}: ${describe(a)} found, not expected` });
  }
}

function columnChanges(e: ColumnSnapshot, a: ColumnSnapshot): string[] {
  const changes: string[] = [];
  if (e.type !== a.type) changes.push(`type ${e.type || '(none)'} expected, ${a.type || '(none)'} found`);
  if (e.notNull !== a.notNull) changes.push(`${nullWord(e.notNull)} expected, ${nullWord(a.notNull)} found`);
  if (e.default !== a.default) changes.push(`default ${e.default ?? '(none)'} expected, ${a.default ?? '(none)'} found`);
  if (e.primaryKeyPosition !== a.primaryKeyPosition) {
    changes.push(`primary key position ${e.primaryKeyPosition} expected, ${a.primaryKeyPosition} found`);
  }
  if ((e.hidden ?? 0) !== (a.hidden ?? 0)) changes.push(`hidden flag ${e.hidden ?? 0} expected, ${a.hidden ?? 0} found`);
  return changes;
}

function describeColumn(column: ColumnSnapshot): string {
  const parts = [column.type || '(no type)'];
  if (column.notNull) parts.push('NOT NULL');
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.primaryKeyPosition > 0) parts.push(`primary key position ${column.primaryKeyPosition}`);
  return parts.join(' ');
}

function describeForeignKey(fk: ForeignKeySnapshot): string {
  return `REFERENCES ${fk.table}(${fk.references.join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;
}

function nullWord(notNull: boolean): string {
  return notNull ? 'NOT NULL' : 'nullable';
}

function uniqueWord(unique: boolean): string {
  return unique ? 'UNIQUE' : 'not unique';
}

function whereText(where: string | null): string {
  return where === null ? 'no WHERE' : `WHERE ${where}`;
}

/** Names the first place two normalized definitions differ, with a little context on each side. */
function definitionChange(expected: string, actual: string): string {
  let at = 0;
  while (at < expected.length && at < actual.length && expected[at] === actual[at]) at += 1;
  const start = Math.max(0, at - 24);
  const excerpt = (text: string): string => `${start > 0 ? '…' : ''}${text.slice(start, at + 40)}${at + 40 < text.length ? '…' : ''}`;
  return `definition differs at "${excerpt(expected)}" expected, "${excerpt(actual)}" found`;
}

/**
 * Keeps the objects whose names pass `include`: tables, views and triggers by
 * their name, indexes by their own name (not their table's). Used to leave out
 * bookkeeping objects such as `_migrations*`, `sqlite_*`, `_scratch_*` and `_exp_*`.
 *
 * @returns a new snapshot; `snapshot` is not modified
 */
export function filterSnapshot(
  snapshot: SchemaSnapshot,
  include: (name: string, type: 'table' | 'index' | 'view' | 'trigger') => boolean,
): SchemaSnapshot {
  const keep = <T>(objects: Record<string, T>, type: 'table' | 'index' | 'view' | 'trigger'): Record<string, T> =>
    Object.fromEntries(Object.entries(objects).filter(([name]) => include(name, type)));
  return {
    dialect: snapshot.dialect,
    tables: keep(snapshot.tables, 'table'),
    indexes: keep(snapshot.indexes, 'index'),
    views: keep(snapshot.views, 'view'),
    triggers: keep(snapshot.triggers, 'trigger'),
  };
}

/**
 * Stable JSON of a snapshot: object keys sorted at every level, arrays in
 * their (meaningful) order, two-space indent, final newline — the same bytes
 * for the same schema, so snapshots can be committed and compared as text.
 */
export function serializeSnapshot(snapshot: SchemaSnapshot): string {
  return `${JSON.stringify(sortKeys(snapshot), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => compareStrings(a, b));
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
  }
  return value;
}
