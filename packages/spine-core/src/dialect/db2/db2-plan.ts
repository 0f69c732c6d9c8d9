import { basename } from 'node:path';
import { ErrorCode, SpineError } from '../../errors.js';
import { discoverMigrations } from '../../migrations/discovery.js';
import type { LoadedMigration } from '../../migrations/discovery.js';
import { selectMigrations } from '../../migrations/migrator.js';
import type { MigrationSource } from '../../migrations/source.js';
import type { Tier } from '../../migrations/tiers.js';
import { DB2_LEDGER_DDL, DB2_MIGRATIONS_TABLE } from './db2-ledger.js';
import { DB2_ONLY_MARKER, splitDb2Statements } from './db2-statements.js';

/** One statement of a DB2 migration, in apply order. */
export interface Db2PlannedStatement {
  /** Id of the migration the statement belongs to (`<source>/<tier>/<NNNN>_<slug>`). */
  readonly migrationId: string;
  /** The statement's text, without the comments before it and without the terminating `;`. */
  readonly text: string;
  /** 1-based line of the statement in the migration's `.db2.sql` file. */
  readonly line: number;
  /** The reason of its `-- spine:db2-only` marker, or null for a statement Derby runs too. */
  readonly db2Only: string | null;
}

/** What {@link db2MigrationScript} returns. */
export interface Db2MigrationScript {
  /** Every statement of every migration, in apply order (the ledger DDL and ledger rows are not among them). */
  readonly statements: Db2PlannedStatement[];
  /** The whole DB2 script: ledger DDL, then each migration's statements and its ledger row, every statement ended by `;`. */
  readonly script: string;
}

/** Who the ledger rows of a generated script name in `APPLIED_BY`. */
export const DB2_SCRIPT_APPLIED_BY = 'db2-script';

/** A DB2/SQL string literal: single quotes, an inner quote doubled. */
function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function nullableLiteral(value: string | null): string {
  return value === null ? 'NULL' : stringLiteral(value);
}

/** One comment line: no line break can end the comment early. */
function commentText(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

function ledgerInsert(migration: LoadedMigration, rank: number): string {
  const { definition } = migration;
  const values: [string, string][] = [
    ['MIGRATION_ID', stringLiteral(migration.id)],
    ['"PACKAGE"', stringLiteral(definition.source.packageName)],
    ['PACKAGE_VERSION', stringLiteral(definition.source.version)],
    ['TIER', stringLiteral(definition.tier)],
    ['DIALECT', stringLiteral('db2')],
    ['DESCRIPTION', stringLiteral(migration.description)],
    ['CHECKSUM', stringLiteral(migration.checksum)],
    ['APPLIED_AT', 'CURRENT TIMESTAMP'],
    ['APPLIED_BY', stringLiteral(DB2_SCRIPT_APPLIED_BY)],
    ['EXECUTION_TIME_MS', '0'],
    ['SUCCESS', '1'],
    ['DOWN_CHECKSUM', nullableLiteral(migration.downChecksum)],
    ['INSTALLED_RANK', String(rank)],
    ['KIND', stringLiteral('migrate')],
  ];
  return `INSERT INTO ${DB2_MIGRATIONS_TABLE} (${values.map(([column]) => column).join(', ')})\nVALUES (${values.map(([, value]) => value).join(', ')})`;
}

/**
 * Builds the DB2 DDL of a list of migrations: what `spine db plan --dialect db2`
 * prints for a DBA to run (DB2 is DDL output only, DESIGN.md "Connection and
 * dialects"). The script creates the ledger ({@link DB2_LEDGER_DDL}), then for
 * each migration prints a header comment (id, description, file, checksum),
 * its statements each ended by `;` — a `-- spine:db2-only <reason>` marker kept
 * above the statements that carry one — and its row in `SPINE_MIGRATIONS`
 * (`APPLIED_AT` = `CURRENT TIMESTAMP`, `APPLIED_BY` = {@link DB2_SCRIPT_APPLIED_BY},
 * `INSTALLED_RANK` counting from 1, so the script is for a database without
 * the ledger; DB2 has no `IF NOT EXISTS`, a second run fails on its first
 * statement).
 *
 * @param migrations migrations loaded with `loadMigration(definition, 'db2')`, in apply order
 * @returns the statements of every migration with their migration id, file line and db2-only reason, and the script text
 * @throws SpineError `INVALID_ARGUMENT` for a migration loaded for another dialect or given twice;
 *   `MIGRATION_BAD_FILE` for a migration without a `.db2.sql` script (its portable script is SQLite SQL);
 *   `MIGRATION_PARSE_FAILED` from {@link splitDb2Statements}
 */
export function db2MigrationScript(migrations: readonly LoadedMigration[]): Db2MigrationScript {
  const statements: Db2PlannedStatement[] = [];
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const [index, migration] of migrations.entries()) {
    if (migration.dialect !== 'db2') {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Migration ${migration.id} was loaded for ${migration.dialect}, not db2.`, {
        hint: "Load it with loadMigration(definition, 'db2').",
      });
    }
    if (seen.has(migration.id)) throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Migration ${migration.id} is given twice.`);
    seen.add(migration.id);
    if (!migration.definition.up.has('db2')) {
      throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Migration ${migration.id} has no DB2 script (${basename(migration.path)} is the portable SQLite script).`, {
        hint: `Add ${migration.definition.tier}/${String(migration.definition.number).padStart(4, '0')}_${migration.definition.slug}.db2.sql (and its .down.db2.sql) to ${migration.definition.source.packageName}.`,
      });
    }
    const parsed = splitDb2Statements(migration.script, migration.path);
    const lines = [
      '-- ---------------------------------------------------------------------------',
      `-- ${migration.id}: ${commentText(migration.description)}`,
      `-- file ${migration.definition.tier}/${basename(migration.path)} of ${migration.definition.source.packageName} ${migration.definition.source.version}`,
      `-- checksum sha256 ${migration.checksum}`,
      '-- ---------------------------------------------------------------------------',
    ];
    for (const statement of parsed) {
      statements.push({ migrationId: migration.id, text: statement.text, line: statement.line, db2Only: statement.db2Only });
      if (statement.db2Only !== null) lines.push(`-- ${DB2_ONLY_MARKER} ${commentText(statement.db2Only)}`);
      lines.push(`${statement.text};`, '');
    }
    lines.push(`${ledgerInsert(migration, index + 1)};`);
    sections.push(lines.join('\n'));
  }
  const header = [
    '-- Market Spine: DB2 DDL (seed 003 DB2 forms), generated from the migrations\' .db2.sql scripts.',
    `-- ${migrations.length} migration(s) in apply order, each followed by its row in ${DB2_MIGRATIONS_TABLE}.`,
    '-- For a database without the Market Spine ledger: DB2 has no IF NOT EXISTS, so a second',
    '-- run stops at the first CREATE TABLE. Statements under "-- spine:db2-only" are DB2-specific',
    '-- (the Apache Derby check of this DDL skips them).',
  ].join('\n');
  const script = [header, ...DB2_LEDGER_DDL.map((ddl) => `${ddl};`), ...sections].join('\n\n');
  return { statements, script: `${script}\n` };
}

/** What {@link db2Plan} plans: the migrations of a configuration, optionally up to one. */
export interface Db2PlanOptions {
  readonly sources: readonly MigrationSource[];
  /** Highest tier (default basic). */
  readonly tier?: Tier;
  /** Optional features that are enabled. */
  readonly features?: Readonly<Record<string, boolean>>;
  /** Stop after this migration id. */
  readonly to?: string;
}

/**
 * The DB2 DDL of every migration a configuration selects (tiers, features),
 * in apply order, for a new DB2 database: `spine db plan --dialect db2`.
 * Migrations with no DB2 form at all (PostgreSQL-only ones) are not selected.
 *
 * @throws SpineError `INVALID_ARGUMENT` when `to` is not a selected migration; what {@link db2MigrationScript} throws
 */
export function db2Plan(options: Db2PlanOptions): Db2MigrationScript {
  const selected = selectMigrations(discoverMigrations(options.sources), 'db2', options.tier ?? 'basic', options.features ?? {});
  if (options.to === undefined) return db2MigrationScript(selected);
  const end = selected.findIndex((m) => m.id === options.to);
  if (end < 0) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${options.to} is not a migration of this configuration's DB2 plan.`, {
      hint: 'Use an id from `spine db plan --dialect db2`, or raise --tier.',
    });
  }
  return db2MigrationScript(selected.slice(0, end + 1));
}
