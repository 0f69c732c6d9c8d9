import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { Dialect } from 'kysely';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { quoteIdentifier } from '../../identifiers.js';
import type { DatabaseBackups, DialectCapabilities, ParsedStatement, SpineDialect, SqlExecutor, SqlValue, StatementAction } from '../types.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { SqliteConnection } from './sqlite-driver.js';
import { sqliteChecks, sqliteIntrospector, tableSql } from './sqlite-introspector.js';
import { backupDatabase } from '../../backup/backup-database.js';
import { listBackups } from '../../backup/list-backups.js';
import { pruneBackups } from '../../backup/prune-backups.js';
import { restoreBackup } from '../../backup/restore-backup.js';
import { acquireSqliteMigrationLock } from './sqlite-lock.js';
import { sqliteMaintenance } from './sqlite-maintenance.js';
import { rebuildTableInTransaction, setForeignKeys } from './sqlite-rebuild.js';
import { asAddColumn, columnDefinitionText, columnFingerprint, findColumnDefinition, splitSqliteStatements } from './sqlite-statements.js';
import { ledgerDdl } from '../../migrations/ledger-ddl.js';

/** Options for opening a SQLite database. */
export interface SqliteOpenOptions {
  /** File path, or `:memory:` for a private in-memory database. */
  readonly path: string;
  /** Open read-only (no WAL switch, no writes; the file must exist). Default false. */
  readonly readonly?: boolean;
  /** How long a writer waits for another connection's lock, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number;
}

const SQLITE_CAPABILITIES: DialectCapabilities = {
  transactionalDdl: true,
  distinctOn: false,
  partitioning: false,
  advisoryLocks: false,
  fileDatabase: true,
};

/** The ledger, SQLite form: instants are ISO-8601 UTC text; `success` is 0/1. */
export const SQLITE_LEDGER_DDL = ledgerDdl({
  instant: 'TEXT',
  successFlag: 'INTEGER NOT NULL DEFAULT 1 CHECK (success IN (0, 1))',
  logId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
});

/**
 * Backups of a SQLite database file. Needs no connection to it, so a
 * corrupt or missing database can still be restored.
 */
export function sqliteFileBackups(path: string): DatabaseBackups {
  const database = resolve(path);
  return {
    create: (backupOptions) => backupDatabase(database, backupOptions),
    list: (directory) => listBackups(directory, database),
    prune: (directory, policy) => pruneBackups(directory, database, policy),
    restore: (backupPath) => restoreBackup(database, backupPath),
  };
}

function openDatabase(options: SqliteOpenOptions): Database.Database {
  const isMemory = options.path === ':memory:';
  const readonly = options.readonly ?? false;
  try {
    if (!isMemory && !readonly) mkdirSync(dirname(resolve(options.path)), { recursive: true });
    const db = new Database(options.path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // WAL lets readers run while the pipeline writes (SQLite docs, "Write-Ahead Logging").
    if (!isMemory && !readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Reading the schema now turns "file is not a database" into an open error instead of a later surprise.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (error) {
    throw new SpineError(ErrorCode.DB_OPEN_FAILED, `Cannot open SQLite database ${options.path}: ${errorMessage(error)}`, {
      hint: readonly
        ? 'Check the path; create the database first with `spine db migrate`.'
        : 'Check that the path is a SQLite file (or a new file name) in a writable directory.',
      cause: error,
    });
  }
}

function createExecutor(kysely: Kysely<any>, connection: SqliteConnection): SqlExecutor {
  return {
    kysely,
    async exec(statement: string): Promise<void> {
      // Same single connection as Kysely, so this runs inside any open transaction.
      connection.raw.exec(statement);
    },
    async insertRows(table: string, columns: readonly string[], rows: Iterable<readonly SqlValue[]>): Promise<number> {
      const columnList = columns.map((c) => quoteIdentifier(c, 'column')).join(', ');
      const placeholders = columns.map(() => '?').join(', ');
      const stmt = connection.prepare(`INSERT INTO ${quoteIdentifier(table, 'table')} (${columnList}) VALUES (${placeholders})`);
      let count = 0;
      for (const row of rows) {
        // Copy only rows that hold booleans (better-sqlite3 refuses them); most rows bind as they are.
        stmt.run(row.some((v) => typeof v === 'boolean') ? row.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) : row);
        count += 1;
      }
      return count;
    },
  };
}

/**
 * `ALTER TABLE … ADD COLUMN` has no `IF NOT EXISTS` in SQLite. When the column
 * exists (seen in `pragma_table_xinfo`), the statement is skipped if the
 * stored definition is the same, and refused if it differs — never decided by
 * matching error text.
 */
async function prepareSqliteStatement(executor: SqlExecutor, statement: ParsedStatement): Promise<StatementAction> {
  const addColumn = asAddColumn(statement);
  if (!addColumn) return { action: 'run' };
  const columnName = addColumn.column.name.name;
  const existing = (await sqliteIntrospector.columns(executor, addColumn.table)).find(
    (c) => c.name.toLowerCase() === columnName.toLowerCase(),
  );
  if (!existing) return { action: 'run' };

  const createSql = await tableSql(executor, addColumn.table);
  const stored = createSql === undefined ? undefined : findColumnDefinition(createSql, columnName);
  const wanted = columnDefinitionText(statement, addColumn.column);
  if (stored && columnFingerprint(stored.definition) === columnFingerprint(addColumn.column)) {
    return { action: 'skip', reason: `column ${addColumn.table}.${columnName} already exists with the same definition` };
  }
  const storedText =
    stored?.text ??
    `${existing.name} ${existing.type}${existing.notNull ? ' NOT NULL' : ''}${existing.defaultValue === null ? '' : ` DEFAULT ${existing.defaultValue}`}`;
  throw new SpineError(
    ErrorCode.MIGRATION_COLUMN_CONFLICT,
    `Column ${addColumn.table}.${columnName} already exists with a different definition: existing "${storedText}", migration wants "${wanted}".`,
    {
      hint: 'Make the migration match the existing column, or change the column with a table rebuild migration.',
      details: {
        table: addColumn.table,
        column: columnName,
        existing: storedText,
        wanted,
        existingType: existing.type,
        existingNotNull: existing.notNull,
        existingDefault: existing.defaultValue,
      },
    },
  );
}

/**
 * Opens a SQLite database (better-sqlite3) and returns its dialect parts.
 * Every connection gets `busy_timeout`, `foreign_keys = ON` and, for files,
 * `journal_mode = WAL`.
 *
 * @throws SpineError `DB_OPEN_FAILED` when the file cannot be opened or is not a SQLite database
 */
export function openSqliteDialect(options: SqliteOpenOptions): SpineDialect {
  const raw = openDatabase(options);
  const driver = new SqliteDriver(raw);
  const kyselyDialect: Dialect = {
    createDriver: () => driver,
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  const kysely = new Kysely<any>({ dialect: kyselyDialect });
  return {
    name: 'sqlite',
    capabilities: SQLITE_CAPABILITIES,
    location: options.path,
    kysely,
    introspector: sqliteIntrospector,
    ledgerDdl: SQLITE_LEDGER_DDL,
    executor: (k) => createExecutor(k, driver.connection),
    splitStatements: splitSqliteStatements,
    prepareStatement: prepareSqliteStatement,
    acquireMigrationLock: (lockOptions) => acquireSqliteMigrationLock(options.path, lockOptions),
    checks: sqliteChecks,
    maintenance: sqliteMaintenance,
    ...(options.path === ':memory:' ? {} : { backups: sqliteFileBackups(options.path) }),
    openScratch: async () => openSqliteDialect({ path: ':memory:' }),
    tableRebuild: {
      async withoutForeignKeys(fn) {
        // PRAGMA foreign_keys is a no-op inside a transaction (SQLite docs), so it is switched here, around it.
        const autocommit = createExecutor(kysely, driver.connection);
        const previous = await setForeignKeys(autocommit, false);
        try {
          return await fn();
        } finally {
          await setForeignKeys(autocommit, previous);
        }
      },
      rebuild: rebuildTableInTransaction,
    },
    async close() {
      await kysely.destroy();
      // Kysely only closes a driver it initialised (it ran a query); exec()/insertRows() use the handle directly.
      if (raw.open) raw.close();
    },
  };
}
