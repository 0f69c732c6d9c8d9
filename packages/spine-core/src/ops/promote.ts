import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { splitDb2Statements } from '../dialect/db2/db2-statements.js';
import type { ColumnInfo, DialectName } from '../dialect/types.js';
import { ErrorCode, SpineError } from '../errors.js';
import { assertIdentifier, quoteCatalogName } from '../identifiers.js';
import { nowIso } from '../ids.js';
import { discoverSourceMigrations, loadMigration } from '../migrations/discovery.js';
import type { MigrationSource } from '../migrations/source.js';
import type { Tier } from '../migrations/tiers.js';
import type { SpineDb } from '../spine-db.js';
import { assertScratchName } from './scratch.js';

/** The kinds of value a promoted column holds, from which each dialect's type follows. */
export type PromotedType = 'text' | 'integer' | 'real' | 'date' | 'instant';

/** A column of the promoted table. */
export interface PromotedColumn {
  readonly name: string;
  readonly type: PromotedType;
  /** The type the scratch table declared (SQLite's declared text, PostgreSQL's `format_type`). */
  readonly scratchType: string;
  readonly notNull: boolean;
  /** Portable CHECK expressions from seed 000's naming standards (the SQLite file adds the ISO-date GLOB for dates). */
  readonly checks: readonly string[];
}

/** An index of seed 000's standard set for time-series tables. */
export interface PromotedIndex {
  readonly name: string;
  /** `capture` (as-of queries), `symbol` (trading-desk lookups), `latest` (newest capture). */
  readonly purpose: 'capture' | 'symbol' | 'latest';
  readonly columns: readonly string[];
}

/** Options of {@link generatePromotion}. */
export interface PromotionOptions {
  /** The scratch table to promote (`_scratch_*` / `_exp_*`). */
  readonly scratchTable: string;
  /** The production table's name (seed 000: `{domain}_{entity}_{grain}`, without the scratch prefix). */
  readonly to: string;
  /** The package that will own the table; the files go to its `migrations/<tier>/` (`directory`: a checkout's folder when the package runs installed). */
  readonly source: MigrationSource;
  /** Default `basic`. */
  readonly tier?: Tier;
  /** File slug; default the table name. */
  readonly slug?: string;
  /** Stem of the index names `idx_<stem>_<purpose>`; default the table name, shortened to PostgreSQL's 63 bytes when needed. */
  readonly indexStem?: string;
  /** Extra lines for the header comment of the SQLite file (e.g. the CALCS entry to add), without `--`. */
  readonly notes?: readonly string[];
}

/** Outcome of {@link generatePromotion}. */
export type PromotionResult =
  | {
      readonly status: 'generated';
      /** `<source>/<tier>/<NNNN>_<slug>`. */
      readonly migrationId: string;
      readonly number: number;
      /** Absolute paths of the six files: up and down, for SQLite (portable), PostgreSQL and DB2. */
      readonly files: readonly string[];
      readonly table: string;
      readonly columns: readonly PromotedColumn[];
      readonly indexes: readonly PromotedIndex[];
      /** Standard indexes left out because the table lacks their columns. */
      readonly skippedIndexes: readonly { readonly purpose: PromotedIndex['purpose']; readonly missing: readonly string[] }[];
    }
  /** There is no such scratch table in the database; nothing was written. */
  | { readonly status: 'not_found'; readonly scratchTable: string }
  /** A table or view of the production name exists in the database already; nothing was written. */
  | { readonly status: 'target_exists'; readonly to: string };

const STANDARD_INDEXES: readonly { purpose: PromotedIndex['purpose']; columns: readonly string[] }[] = [
  { purpose: 'capture', columns: ['week_ending', 'tier', 'capture_id'] },
  { purpose: 'symbol', columns: ['symbol', 'week_ending', 'tier'] },
  // capture_id DESC breaks captured_at ties, as in every *_latest view of the packages.
  { purpose: 'latest', columns: ['week_ending', 'tier', 'captured_at DESC', 'capture_id DESC'] },
];

const SLUG_PATTERN = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
/** PostgreSQL truncates longer names (NAMEDATALEN − 1). */
const MAX_NAME_BYTES = 63;
const ISO_DATE_GLOB = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'";

const DIALECT_TYPES: Readonly<Record<DialectName, Readonly<Record<PromotedType, string>>>> = {
  // SQLite: dates and instants as ISO-8601 text (DESIGN.md, seed 000 "Temporal Columns").
  sqlite: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', date: 'TEXT', instant: 'TEXT' },
  postgres: { text: 'TEXT', integer: 'BIGINT', real: 'DOUBLE PRECISION', date: 'DATE', instant: 'TIMESTAMPTZ' },
  db2: { text: 'VARCHAR(255)', integer: 'BIGINT', real: 'DOUBLE', date: 'DATE', instant: 'TIMESTAMP' },
};

/** The kind of value a declared type holds, or undefined when the declaration does not say (SQLite `NUM`, empty). */
function typeFromDeclaration(declared: string): PromotedType | undefined {
  const type = declared.toUpperCase();
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'instant';
  // SQLite's affinity rules (SQLite docs, "Datatypes In SQLite" 3.1), which also read PostgreSQL's names right.
  if (type.includes('INT') || type === 'BOOLEAN') return 'integer';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'text';
  if (/REAL|FLOA|DOUB/.test(type)) return 'real';
  return undefined;
}

/** Seed 000 "Temporal Columns": business dates are `week_ending`, `trade_date`, `*_date`; instants `*_at`. */
function typeFromName(name: string): PromotedType | undefined {
  if (name === 'week_ending' || name.endsWith('_date')) return 'date';
  if (name.endsWith('_at')) return 'instant';
  return undefined;
}

/** Seed 000 "Metrics" and "Data Quality Constraints": volumes and counts are non-negative, shares and HHI are fractions 0–1. */
function standardChecks(name: string, type: PromotedType): string[] {
  if (type !== 'integer' && type !== 'real') return [];
  if (name.endsWith('_volume') || name.endsWith('_count')) return [`${name} >= 0`];
  if (name.endsWith('_share') || name === 'hhi') return [`${name} BETWEEN 0 AND 1`];
  return [];
}

/** The kind of the values a column holds, for a declaration that does not say: integers, other numbers, else text. */
async function typeFromValues(db: SpineDb, table: string, column: string, declared: string): Promise<PromotedType> {
  const rows = await sql<{ v: unknown }>`SELECT ${sql.raw(quoteCatalogName(column))} AS v FROM ${sql.raw(quoteCatalogName(table))}
    WHERE ${sql.raw(quoteCatalogName(column))} IS NOT NULL LIMIT 1000`.execute(db.kysely);
  const values = rows.rows.map((r) => r.v);
  if (values.length === 0) return /NUM|DEC/i.test(declared) ? 'real' : 'text';
  if (values.every((v) => typeof v === 'number' || typeof v === 'bigint')) return values.every((v) => Number.isInteger(Number(v))) ? 'integer' : 'real';
  return 'text';
}

async function promotedColumns(db: SpineDb, table: string, columns: readonly ColumnInfo[], keyColumns: ReadonlySet<string>): Promise<PromotedColumn[]> {
  const promoted: PromotedColumn[] = [];
  for (const column of columns) {
    const name = assertIdentifier(column.name.toLowerCase(), 'column');
    const declared = typeFromDeclaration(column.type);
    const byName = typeFromName(name);
    const type = byName !== undefined && (declared === undefined || declared === 'text' || declared === byName) ? byName : (declared ?? (await typeFromValues(db, table, column.name, column.type)));
    // Key columns are NOT NULL everywhere: DB2 requires it of UNIQUE and PRIMARY KEY columns, and a business key with NULLs identifies nothing.
    promoted.push({ name, type, scratchType: column.type, notNull: column.notNull || keyColumns.has(name), checks: standardChecks(name, type) });
  }
  return promoted;
}

function indexStemFor(to: string, stem: string | undefined): string {
  const base = stem ?? to;
  const longest = `idx_${base}_capture`;
  if (Buffer.byteLength(longest) <= MAX_NAME_BYTES) return base;
  const hash = createHash('sha256').update(to).digest('hex').slice(0, 6);
  return `${base.slice(0, MAX_NAME_BYTES - 'idx_'.length - '_capture'.length - hash.length - 1)}_${hash}`;
}

interface TableShape {
  readonly table: string;
  readonly columns: readonly PromotedColumn[];
  readonly primaryKey: readonly string[];
  readonly uniques: readonly (readonly string[])[];
  readonly indexes: readonly PromotedIndex[];
}

function createTableSql(shape: TableShape, dialect: DialectName): string {
  const upper = dialect === 'db2';
  const name = (text: string) => (upper ? text.toUpperCase() : text);
  const lines = shape.columns.map((c) => {
    const checks = [...(dialect === 'sqlite' && c.type === 'date' ? [`${c.name} GLOB ${ISO_DATE_GLOB}`] : []), ...c.checks];
    return `    ${name(c.name)} ${DIALECT_TYPES[dialect][c.type]}${c.notNull ? ' NOT NULL' : ''}${checks.map((check) => ` CHECK (${name(check)})`).join('')}`;
  });
  if (shape.primaryKey.length > 0) lines.push(`    PRIMARY KEY (${shape.primaryKey.map(name).join(', ')})`);
  for (const unique of shape.uniques) lines.push(`    UNIQUE (${unique.map(name).join(', ')})`);
  const ifNotExists = upper ? '' : 'IF NOT EXISTS ';
  const statements = [`CREATE TABLE ${ifNotExists}${name(shape.table)} (\n${lines.join(',\n')}\n);`];
  for (const index of shape.indexes) {
    statements.push(`CREATE INDEX ${ifNotExists}${name(index.name)} ON ${name(shape.table)} (${index.columns.map((c) => (upper ? c.replace(/^\w+/, (w) => w.toUpperCase()) : c)).join(', ')});`);
  }
  return `${statements.join('\n')}\n`;
}

function dropTableSql(shape: TableShape, dialect: DialectName): string {
  const upper = dialect === 'db2';
  const ifExists = upper ? '' : 'IF EXISTS ';
  const name = (text: string) => (upper ? text.toUpperCase() : text);
  return `${[...[...shape.indexes].reverse().map((i) => `DROP INDEX ${ifExists}${name(i.name)};`), `DROP TABLE ${ifExists}${name(shape.table)};`].join('\n')}\n`;
}

/** The next free migration number of a tier folder (1 for an empty or missing one). */
function nextNumber(directory: string): number {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 1;
    throw error;
  }
  const numbers = entries.map((f) => /^(\d{4})_/.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  return numbers.length === 0 ? 1 : Math.max(...numbers) + 1;
}

/**
 * Writes the migration that promotes a scratch table to a production table
 * (seed 000 "Promotion checklist"), for review, into the owning package's
 * `migrations/<tier>/` under the next free number: the up script for SQLite
 * (portable), PostgreSQL and DB2 with seed 000's standard index set (the
 * indexes whose columns the table has), and the three down scripts. Nothing
 * in the database changes: the migration ships like any other and runs on
 * every database, most of which never had the scratch table, so it creates
 * the table empty instead of renaming the scratch one.
 *
 * Column types come from the scratch table's declarations (and, where SQLite
 * declares none, from its values), dates and instants from seed 000's column
 * names; columns of its primary key and UNIQUE constraints become NOT NULL.
 * The written files are read back with the engine's own discovery and
 * tokenizers (and removed again if they do not parse).
 *
 * @throws SpineError `INVALID_IDENTIFIER` for a bad scratch, table, column or slug name; `MIGRATION_BAD_FILE` /
 *   `MIGRATION_PARSE_FAILED` when the generated files do not read back
 */
export async function generatePromotion(db: SpineDb, options: PromotionOptions): Promise<PromotionResult> {
  const scratch = assertScratchName(options.scratchTable);
  const to = assertIdentifier(options.to, 'table');
  const slug = options.slug ?? to;
  if (!SLUG_PATTERN.test(slug) || Buffer.byteLength(to) > MAX_NAME_BYTES) {
    throw new SpineError(ErrorCode.INVALID_IDENTIFIER, `Cannot name a migration or table after ${JSON.stringify(slug)}.`, {
      hint: `The slug must be lower_snake_case without double or trailing underscores, and the table name at most ${MAX_NAME_BYTES} bytes.`,
    });
  }
  const executor = db.executor();
  const objects = await db.dialect.introspector.listObjects(executor);
  if (!objects.some((o) => o.type === 'table' && o.name === scratch)) return { status: 'not_found', scratchTable: scratch };
  if (objects.some((o) => (o.type === 'table' || o.type === 'view') && o.name === to)) return { status: 'target_exists', to };

  const columnInfo = await db.dialect.introspector.columns(executor, scratch);
  const snapshot = (await db.dialect.introspector.snapshot(executor)).tables[scratch];
  const primaryKey = columnInfo.filter((c) => c.primaryKeyPosition > 0).sort((a, b) => a.primaryKeyPosition - b.primaryKeyPosition).map((c) => c.name.toLowerCase());
  const uniques = snapshot?.uniques ?? [];
  const columns = await promotedColumns(db, scratch, columnInfo, new Set([...primaryKey, ...uniques.flat()]));
  const names = new Set(columns.map((c) => c.name));
  const stem = indexStemFor(to, options.indexStem);
  const indexes: PromotedIndex[] = [];
  const skippedIndexes: { purpose: PromotedIndex['purpose']; missing: string[] }[] = [];
  for (const standard of STANDARD_INDEXES) {
    const missing = standard.columns.map((c) => c.split(' ')[0] as string).filter((c) => !names.has(c));
    if (missing.length === 0) indexes.push({ name: `idx_${stem}_${standard.purpose}`, purpose: standard.purpose, columns: standard.columns });
    else skippedIndexes.push({ purpose: standard.purpose, missing });
  }
  const shape: TableShape = { table: to, columns, primaryKey, uniques, indexes };

  const tier = options.tier ?? 'basic';
  const directory = join(options.source.directory, tier);
  const number = nextNumber(directory);
  const base = `${String(number).padStart(4, '0')}_${slug}`;
  const description = `-- spine:description ${to}: promoted from scratch table ${scratch}`;
  const header = [
    description,
    `-- Generated by \`spine ops promote ${scratch} --to ${to}\` on ${nowIso()} from the columns of`,
    `-- ${scratch} in a ${db.dialectName} database, for review before it ships (seed 000`,
    '-- "Promotion checklist"): column types and NOT NULL, the CHECK constraints (seed 000',
    '-- standards: *_volume and *_count >= 0, *_share and hhi between 0 and 1, ISO dates),',
    '-- the UNIQUE business key, a *_latest view, the calculation function, its CALCS entry, tests.',
    `-- A migration runs on every database, most of which never had ${scratch}, so this`,
    `-- one creates ${to} empty instead of renaming the scratch table: the scratch rows stay`,
    `-- there (copy them with INSERT ... SELECT after migrating if they are wanted, then`,
    `-- \`spine ops scratch drop ${scratch}\`).`,
    ...(options.notes ?? []).map((line) => `--${line === '' ? '' : ` ${line}`}`),
  ].join('\n');
  const variantHeader = (dialect: string) => `${description}\n-- ${dialect} variant of ${base}.sql (same columns, constraints and indexes; see its header).`;
  const undo = `-- spine:description undo ${base}`;
  const files: [string, string][] = [
    [`${base}.sql`, `${header}\n\n${createTableSql(shape, 'sqlite')}`],
    [`${base}.postgres.sql`, `${variantHeader('PostgreSQL')}\n-- Dates are DATE, instants TIMESTAMPTZ, integers BIGINT, other numbers DOUBLE PRECISION.\n\n${createTableSql(shape, 'postgres')}`],
    [`${base}.db2.sql`, `${variantHeader('DB2')}\n-- DB2 has no IF NOT EXISTS: the migration ledger keeps a migration from running twice.\n-- Text is VARCHAR(255): set each column's real length.\n\n${createTableSql(shape, 'db2')}`],
    [`${base}.down.sql`, `${undo}\n${dropTableSql(shape, 'sqlite')}`],
    [`${base}.down.postgres.sql`, `${undo}\n${dropTableSql(shape, 'postgres')}`],
    [`${base}.down.db2.sql`, `${undo}\n${dropTableSql(shape, 'db2')}`],
  ];
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  try {
    for (const [file, text] of files) {
      const path = join(directory, file);
      // 'wx': never overwrite a file someone else wrote meanwhile.
      writeFileSync(path, text, { flag: 'wx' });
      written.push(path);
    }
    readBack(db, options.source, `${options.source.name}/${tier}/${base}`);
  } catch (error) {
    for (const path of written) rmSync(path, { force: true });
    throw error;
  }
  return { status: 'generated', migrationId: `${options.source.name}/${tier}/${base}`, number, files: written, table: to, columns, indexes, skippedIndexes };
}

/** The engine reads the new migration like any other: discovery, directives, and the tokenizers of this database's dialect and DB2. */
function readBack(db: SpineDb, source: MigrationSource, id: string): void {
  const definition = discoverSourceMigrations(source).find((d) => d.id === id);
  if (definition === undefined) throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `The generated migration ${id} is not found by discovery.`);
  const load = (dialect: DialectName) => {
    const loaded = loadMigration(definition, dialect);
    if (loaded === undefined || loaded.down === null) {
      throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `The generated migration ${id} lacks its ${dialect} scripts.`);
    }
    return { up: loaded, down: loaded.down };
  };
  const live = load(db.dialectName);
  db.dialect.splitStatements(live.up.script, live.up.path);
  db.dialect.splitStatements(live.down.script, live.down.path);
  const db2 = load('db2');
  splitDb2Statements(db2.up.script, db2.up.path);
  splitDb2Statements(db2.down.script, db2.down.path);
}
