import { basename } from 'node:path';
import { DB2_LEDGER_DDL, DB2_LEDGER_QUOTED_COLUMNS, DB2_MIGRATIONS_TABLE } from '../dialect/db2/db2-ledger.js';
import { DB2_ONLY_MARKER, splitDb2Statements } from '../dialect/db2/db2-statements.js';
import { POSTGRES_LEDGER_DDL } from '../dialect/postgres/pg-dialect.js';
import { ADVISORY_LOCK_KEY } from '../dialect/postgres/pg-lock.js';
import { loadPostgresParser, splitPostgresStatements } from '../dialect/postgres/pg-statements.js';
import { SQLITE_LEDGER_DDL } from '../dialect/sqlite/sqlite-dialect.js';
import { splitSqliteStatements } from '../dialect/sqlite/sqlite-statements.js';
import type { DialectName } from '../dialect/types.js';
import type { LoadedMigration } from '../migrations/discovery.js';
import { LEDGER_TABLE } from '../migrations/ledger.js';
import type { Tier } from '../migrations/tiers.js';
import { alreadyAppliedMessage, previousMissingMessage } from './bundle-guard.js';
import type { BundleId } from './bundle-manifest.js';
import { BUNDLE_SQL_FILES } from './bundle-manifest.js';

/** What one dialect's SQL file of a bundle is made of. */
export interface BundleScriptInput {
  readonly bundle: BundleId;
  /** ISO-8601 UTC instant of the build. */
  readonly createdAt: string;
  readonly tier: Tier;
  /** The manifest's note (which database the bundle is for). */
  readonly note: string;
  /** The packages and the versions the bundle records (`_migrations.package_version`). */
  readonly packages: readonly { readonly package: string; readonly version: string }[];
  /** The previous bundle and its migrations for this dialect (the guard refuses a database lacking any), or null. */
  readonly previous: { readonly bundle: string; readonly ids: readonly string[] } | null;
  /** The bundle's migrations, loaded for this dialect, in apply order. */
  readonly migrations: readonly LoadedMigration[];
}

/** A statement as a bundle file prints it: its text, and a comment line to print above it (DB2's db2-only marker). */
interface BundleStatement {
  readonly text: string;
  readonly marker: string | null;
}

/** A condition the guard refuses the bundle on: any of `ids` in the ledger (`present`), or any of them not (`missing`). */
interface GuardCheck {
  readonly refuseWhen: 'present' | 'missing';
  readonly ids: readonly string[];
  readonly message: string;
}

/** The values of one `_migrations` row, as SQL expressions, keyed by the engine's column names. */
type LedgerValues = Readonly<Record<string, string>>;

/**
 * How one dialect writes a bundle file: the file is the same sequence of
 * parts for every dialect — preamble, transaction with ledger DDL and guard,
 * each migration's statements and ledger row, commit, postamble.
 */
interface BundleScriptDialect {
  /** Loads what `split` needs. */
  prepare(): Promise<void>;
  /** The comment lines that say how to apply the file. */
  usage(bundle: BundleId): readonly string[];
  /** Client settings before anything else. */
  readonly preamble: readonly string[];
  /** Opens a transaction; null where the client opens one implicitly (DB2 CLP with autocommit off). */
  readonly begin: string | null;
  readonly commit: string;
  /** The ledger DDL; `first`: the bundle has no previous bundle (DB2 has no IF NOT EXISTS, later bundles find the ledger). */
  ledgerDdl(first: boolean): readonly string[];
  /** Statements that fail with a check's message when the check holds (none for no checks). */
  guard(checks: readonly GuardCheck[]): readonly string[];
  split(script: string, path: string): BundleStatement[];
  /** SQL expressions for the row's instant, actor and success flag. */
  readonly now: string;
  readonly actor: string;
  readonly success: string;
  /** `INSERT … SELECT … FROM <ledger>` of one ledger row, `installed_rank` after the highest. */
  ledgerInsert(values: LedgerValues): string;
  /** Statements after the last commit. */
  readonly postamble: readonly string[];
}

/** A SQL string literal (single quotes, an inner quote doubled): the same in SQLite, PostgreSQL and DB2. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** One comment line: no line break can end the comment early. */
function commentText(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** The guard's condition on the ledger: some of the ids present, or fewer of them than all. */
function ledgerCondition(check: GuardCheck, table: string, column: string): string {
  const list = check.ids.map(sqlString).join(', ');
  return check.refuseWhen === 'present'
    ? `EXISTS (SELECT 1 FROM ${table} WHERE ${column} IN (${list}))`
    : `(SELECT COUNT(*) FROM ${table} WHERE ${column} IN (${list})) < ${check.ids.length}`;
}

const plainSplit =
  (splitter: (script: string, source: string) => readonly { readonly text: string }[]) =>
  (script: string, path: string): BundleStatement[] =>
    splitter(script, path).map((s) => ({ text: s.text, marker: null }));

/** `INSERT INTO <table> (<columns>) SELECT <values>, COALESCE(MAX(<rank>), 0) + 1, <kind> FROM <table>` — one statement in all three dialects. */
function insertSelect(table: string, column: (name: string) => string, values: LedgerValues): string {
  const entries = Object.entries(values);
  return [
    `INSERT INTO ${table} (${[...entries.map(([name]) => column(name)), column('installed_rank')].join(', ')})`,
    `SELECT ${[...entries.map(([, value]) => value), `COALESCE(MAX(${column('installed_rank')}), 0) + 1`].join(', ')}`,
    `FROM ${table}`,
  ].join('\n');
}

const SQLITE: BundleScriptDialect = {
  prepare: async () => undefined,
  usage: (bundle) => [
    `--   sqlite3 spine.db < migrations/${bundle.id}/${BUNDLE_SQL_FILES.sqlite}`,
    `--   (or: spine db migrate --bundle migrations/${bundle.id} --db spine.db)`,
    '-- .bail on stops at the first error; the open transaction then rolls back when sqlite3 exits.',
  ],
  // The engine sets foreign_keys on every connection; the sqlite3 CLI does not. busy timeout in ms.
  preamble: ['.bail on', '.timeout 10000', 'PRAGMA foreign_keys = ON;'],
  begin: 'BEGIN IMMEDIATE;',
  commit: 'COMMIT;',
  ledgerDdl: () => SQLITE_LEDGER_DDL.map((ddl) => `${ddl};`),
  guard(checks) {
    if (checks.length === 0) return [];
    // Plain SQLite has no IF … RAISE outside triggers: a TEMP trigger on a TEMP table raises, the insert fires it.
    const raises = checks.map((check) => `  SELECT RAISE(ABORT, ${sqlString(check.message)})\n  WHERE ${ledgerCondition(check, LEDGER_TABLE, 'migration_id')};`);
    return [
      'CREATE TEMP TABLE spine_bundle_guard (bundle TEXT NOT NULL);',
      `CREATE TEMP TRIGGER spine_bundle_guard_check BEFORE INSERT ON spine_bundle_guard\nBEGIN\n${raises.join('\n')}\nEND;`,
      "INSERT INTO spine_bundle_guard (bundle) VALUES ('check');",
      'DROP TABLE spine_bundle_guard;',
    ];
  },
  split: plainSplit(splitSqliteStatements),
  // The engine's nowIso(): ISO-8601 UTC with milliseconds.
  now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  actor: sqlString('sqlite3'),
  success: '1',
  ledgerInsert: (values) => `${insertSelect(LEDGER_TABLE, (name) => name, values)};`,
  postamble: [],
};

const POSTGRES: BundleScriptDialect = {
  prepare: loadPostgresParser,
  usage: (bundle) => [
    `--   psql "postgres://user@host/db" -f migrations/${bundle.id}/${BUNDLE_SQL_FILES.postgres}`,
    `--   (or: spine db migrate --bundle migrations/${bundle.id} --db <url>)`,
    '-- It applies to current_schema(): for a database in a schema, run psql with PGOPTIONS=-csearch_path=<schema>.',
    "-- It holds the engine's migration lock (the advisory lock spine db migrate takes) while it runs.",
  ],
  preamble: ['\\set ON_ERROR_STOP on', "SET TIME ZONE 'UTC';", `DO $$ BEGIN PERFORM pg_advisory_lock(${ADVISORY_LOCK_KEY}); END $$;`],
  begin: 'BEGIN;',
  commit: 'COMMIT;',
  ledgerDdl: () => POSTGRES_LEDGER_DDL.map((ddl) => `${ddl};`),
  guard(checks) {
    if (checks.length === 0) return [];
    const raises = checks.map((check) => `  IF ${ledgerCondition(check, LEDGER_TABLE, 'migration_id')} THEN\n    RAISE EXCEPTION ${sqlString(check.message)};\n  END IF;`);
    return [`DO $$\nBEGIN\n${raises.join('\n')}\nEND\n$$;`];
  },
  split: plainSplit(splitPostgresStatements),
  now: 'now()',
  actor: 'session_user',
  success: 'TRUE',
  ledgerInsert: (values) => `${insertSelect(LEDGER_TABLE, (name) => name, values)};`,
  postamble: [`DO $$ BEGIN PERFORM pg_advisory_unlock(${ADVISORY_LOCK_KEY}); END $$;`],
};

/** A ledger column in DB2 form: upper case, delimited when it is a reserved word ({@link DB2_LEDGER_QUOTED_COLUMNS}). */
function db2Column(name: string): string {
  const upper = name.toUpperCase();
  return DB2_LEDGER_QUOTED_COLUMNS.includes(`"${upper}"`) ? `"${upper}"` : upper;
}

const DB2: BundleScriptDialect = {
  prepare: async () => undefined,
  usage: (bundle) => [
    `--   db2 +c -s -tvf migrations/${bundle.id}/${BUNDLE_SQL_FILES.db2}`,
    '-- +c: no autocommit, the file commits at its end; -s: stop at the first error, then run `db2 rollback`.',
    `-- Statements under "-- ${DB2_ONLY_MARKER}" are DB2-specific (the Apache Derby check of the DDL skips them).`,
  ],
  preamble: [],
  begin: null,
  commit: 'COMMIT;',
  ledgerDdl: (first) => (first ? DB2_LEDGER_DDL.map((ddl) => `${ddl};`) : []),
  // RAISE_ERROR keeps 70 bytes of its message: the messages are shorter.
  guard: (checks) =>
    checks.map(
      (check) =>
        `-- ${DB2_ONLY_MARKER} RAISE_ERROR refuses the bundle; Derby has no RAISE_ERROR\nVALUES CASE WHEN ${ledgerCondition(check, DB2_MIGRATIONS_TABLE, 'MIGRATION_ID')} THEN RAISE_ERROR('75001', ${sqlString(check.message)}) ELSE 0 END;`,
    ),
  split: (script, path) => splitDb2Statements(script, path).map((s) => ({ text: s.text, marker: s.db2Only === null ? null : `-- ${DB2_ONLY_MARKER} ${commentText(s.db2Only)}` })),
  now: 'CURRENT TIMESTAMP',
  actor: 'SESSION_USER',
  success: '1',
  ledgerInsert: (values) => `${insertSelect(DB2_MIGRATIONS_TABLE, db2Column, values)};`,
  postamble: [],
};

const DIALECTS: Readonly<Record<DialectName, BundleScriptDialect>> = { sqlite: SQLITE, postgres: POSTGRES, db2: DB2 };

const RULE = '-- ---------------------------------------------------------------------------';

function versionOf(input: BundleScriptInput, packageName: string): string {
  return input.packages.find((p) => p.package === packageName)?.version ?? '';
}

/**
 * The `_migrations` row the engine writes for `migration` applied from this
 * bundle (times, actor: the dialect's). Columns left NULL (`error_message`, a
 * missing `down_checksum`) are left out: DB2 and Derby refuse an untyped NULL
 * in a select list.
 */
function ledgerValues(parts: BundleScriptDialect, input: BundleScriptInput, migration: LoadedMigration): LedgerValues {
  const source = migration.definition.source;
  return {
    migration_id: sqlString(migration.id),
    package: sqlString(source.packageName),
    package_version: sqlString(versionOf(input, source.packageName)),
    tier: sqlString(migration.definition.tier),
    dialect: sqlString(migration.dialect),
    description: sqlString(migration.description),
    checksum: sqlString(migration.checksum),
    applied_at: parts.now,
    applied_by: parts.actor,
    execution_time_ms: '0',
    success: parts.success,
    ...(migration.downChecksum === null ? {} : { down_checksum: sqlString(migration.downChecksum) }),
    bundle: sqlString(input.bundle.id),
    kind: sqlString('migrate'),
  };
}

function migrationSection(parts: BundleScriptDialect, input: BundleScriptInput, migration: LoadedMigration, index: number): string[] {
  const source = migration.definition.source;
  const lines = [
    RULE,
    `-- ${index + 1}/${input.migrations.length} ${migration.id}: ${commentText(migration.description)}`,
    `-- ${source.packageName} ${versionOf(input, source.packageName)}, ${migration.definition.tier}/${basename(migration.path)}, checksum sha256 ${migration.checksum}`,
  ];
  if (migration.directives.noTransaction) lines.push('-- Outside a transaction (spine:no-transaction): each statement commits on its own.');
  lines.push(RULE);
  for (const statement of parts.split(migration.script, migration.path)) {
    if (statement.marker !== null) lines.push(statement.marker);
    lines.push(`${statement.text};`, '');
  }
  lines.push(parts.ledgerInsert(ledgerValues(parts, input, migration)), '');
  return lines;
}

/**
 * The SQL file of a bundle for one dialect, for that dialect's own client
 * (sqlite3, psql, DB2 CLP): a header, then, in one transaction, the ledger
 * DDL (the engine's), a guard that fails naming the bundle when any of its
 * migrations is already in `_migrations` or any of the previous bundle's is
 * not, and each migration's statements (split as the engine splits them)
 * followed by its ledger row — the row the engine would write, `bundle` set
 * to the bundle's id. `-- spine:no-transaction` migrations run between
 * transactions, where the engine runs them. The output depends only on the
 * input, so a bundle can be rebuilt byte for byte.
 *
 * @throws SpineError `MIGRATION_PARSE_FAILED` from the dialect's statement splitter
 */
export async function renderBundleScript(dialect: DialectName, input: BundleScriptInput): Promise<string> {
  const parts = DIALECTS[dialect];
  await parts.prepare();
  const { bundle } = input;
  const header = [
    `-- Market Spine quarterly bundle ${bundle.id} (${bundle.label}), ${dialect}: ${input.migrations.length} migration(s), tier ${input.tier}.`,
    `-- Built ${input.createdAt} from ${input.packages.map((p) => `${p.package} ${p.version}`).join(', ')}; manifest.json lists the migrations and checksums.`,
    `-- ${commentText(input.note)}`,
    '-- Apply once, to a database that has the previous bundle:',
    ...parts.usage(bundle),
    `-- The guard refuses, before any change, a database that already has this bundle${input.previous ? ` or lacks bundle ${input.previous.bundle}` : ''}.`,
  ];
  const lines: string[] = [...header, '', ...parts.preamble, ''];
  if (parts.begin !== null) lines.push(parts.begin);
  lines.push(...parts.ledgerDdl(input.previous === null), '');
  const checks: GuardCheck[] = [];
  if (input.migrations.length > 0) checks.push({ refuseWhen: 'present', ids: input.migrations.map((m) => m.id), message: alreadyAppliedMessage(bundle.id) });
  if (input.previous && input.previous.ids.length > 0) checks.push({ refuseWhen: 'missing', ids: input.previous.ids, message: previousMissingMessage(bundle.id, input.previous.bundle) });
  lines.push(...parts.guard(checks), '');
  let open = true;
  for (const [index, migration] of input.migrations.entries()) {
    const transactional = !migration.directives.noTransaction;
    if (open && !transactional) {
      lines.push(parts.commit, '');
      open = false;
    } else if (!open && transactional) {
      if (parts.begin !== null) lines.push(parts.begin, '');
      open = true;
    }
    lines.push(...migrationSection(parts, input, migration, index));
  }
  if (open) lines.push(parts.commit);
  lines.push(...parts.postamble);
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
