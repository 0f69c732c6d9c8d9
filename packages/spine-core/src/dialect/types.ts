import type { Kysely } from 'kysely';
import type { BackupInfo } from '../backup/backup-database.js';
import type { BackupListing } from '../backup/list-backups.js';
import type { RetentionPolicy } from '../backup/prune-backups.js';
import type { RestoreResult } from '../backup/restore-backup.js';
import type { SchemaSnapshot } from '../schema/schema-snapshot.js';

/** The SQL dialects Market Spine knows. `db2` is DDL output only (no live DB2 connection). */
export type DialectName = 'sqlite' | 'postgres' | 'db2';

/**
 * What a dialect can do. Callers decide on these flags, never on the
 * dialect's name (kysely's `DialectAdapter` style).
 */
export interface DialectCapabilities {
  /** DDL statements roll back with their transaction (SQLite and PostgreSQL: yes). */
  readonly transactionalDdl: boolean;
  /** `SELECT DISTINCT ON (…)` is available (PostgreSQL). */
  readonly distinctOn: boolean;
  /** Declarative table partitioning (`PARTITION BY`) is available. */
  readonly partitioning: boolean;
  /** Session advisory locks are available (`pg_advisory_lock`). */
  readonly advisoryLocks: boolean;
  /** The database is one local file, so online file backups and file restore apply. */
  readonly fileDatabase: boolean;
}

/** Kinds of schema objects a migration can create. */
export type SchemaObjectType = 'table' | 'index' | 'view' | 'trigger';

/** A schema object named by type and name. */
export interface SchemaObjectRef {
  readonly type: SchemaObjectType;
  readonly name: string;
}

/** One statement of a migration script, as split by the dialect's tokenizer. */
export interface ParsedStatement {
  /** The statement's exact source text, without the terminating semicolon. */
  readonly text: string;
  /** 1-based line of the script on which the statement starts. */
  readonly line: number;
  /** The objects this statement creates (`CREATE TABLE/INDEX/VIEW/TRIGGER`). */
  readonly creates: readonly SchemaObjectRef[];
  /** The objects this statement drops (`DROP TABLE/INDEX/VIEW/TRIGGER`). */
  readonly drops: readonly SchemaObjectRef[];
  /** Dialect-private parse data (the dialect's own syntax tree); callers must not read it. */
  readonly dialectData?: unknown;
}

/**
 * What to do with a statement: run it, or skip it because it is already in
 * effect (for example an `ADD COLUMN` whose identical column exists).
 */
export type StatementAction = { readonly action: 'run' } | { readonly action: 'skip'; readonly reason: string };

/** A column as the database reports it. */
export interface ColumnInfo {
  readonly name: string;
  /** Declared type as stored (SQLite keeps the declared text, upper-cased). */
  readonly type: string;
  readonly notNull: boolean;
  /** Default expression text, or null. */
  readonly defaultValue: string | null;
  /** 1-based position within the primary key, 0 when not part of it. */
  readonly primaryKeyPosition: number;
}

/** Reads the live schema. */
export interface SchemaIntrospector {
  /** All user objects (tables, views, indexes, triggers), excluding the dialect's internal ones. */
  listObjects(executor: SqlExecutor): Promise<SchemaObjectRef[]>;
  /** Columns of `table` in declaration order; empty when the table does not exist. */
  columns(executor: SqlExecutor, table: string): Promise<ColumnInfo[]>;
  /** The whole schema in the dialect-neutral form the drift check compares. */
  snapshot(executor: SqlExecutor): Promise<SchemaSnapshot>;
}

/** Database-level consistency checks; each returns its problems, an empty list when all is well. */
export interface ConsistencyChecks {
  /** Page and index consistency (SQLite: `PRAGMA integrity_check`). */
  integrity(executor: SqlExecutor): Promise<string[]>;
  /** Rows whose foreign keys point nowhere (SQLite: `PRAGMA foreign_key_check`). */
  foreignKeys(executor: SqlExecutor): Promise<string[]>;
}

/** A value a row can carry into SQL (bound as a parameter, never inlined). */
export type SqlValue = string | number | bigint | boolean | null | Buffer;

/**
 * Runs SQL on a connection or inside a transaction. Obtained from
 * `SpineDb.transaction()` (transactional) or `SpineDb.executor()` (autocommit).
 */
export interface SqlExecutor {
  /** Kysely bound to the same connection or transaction, for typed queries. */
  readonly kysely: Kysely<any>;
  /** Executes one statement with no parameters (DDL from a migration script). */
  exec(statement: string): Promise<void>;
  /**
   * Inserts rows in bulk into `table` (validated identifiers, bound values).
   *
   * @param table target table (must match the identifier pattern)
   * @param columns column names, in the order of each row's values
   * @param rows one array of values per row
   * @returns the number of rows inserted
   * @throws the driver's error (for example a CHECK violation) — inside a transaction, the caller's rollback undoes the rows already inserted
   */
  insertRows(table: string, columns: readonly string[], rows: Iterable<readonly SqlValue[]>): Promise<number>;
}

/** Who holds a migration lock, for the message of a process that waits. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO-8601 UTC instant the lock was taken. */
  readonly since: string;
  readonly purpose: string;
}

/** Options of {@link SpineDialect.acquireMigrationLock}. */
export interface MigrationLockOptions {
  /** How long to wait for another migrator, in milliseconds. */
  readonly timeoutMs: number;
  /** What the holder is doing, shown to waiting processes (e.g. "migrate"). */
  readonly purpose: string;
  /** Called once when the lock is busy and the caller starts waiting. */
  readonly onWait?: (holder: LockHolder | null) => void;
}

/** A held migration lock. */
export interface MigrationLock {
  release(): Promise<void>;
}

/** A table rebuild: the table's new `CREATE TABLE` and how to fill new columns from the old row. */
export interface TableRebuildSpec {
  /** Table to rebuild (a validated identifier). */
  readonly table: string;
  /** The new `CREATE TABLE <table> (…)` statement (same table name). */
  readonly createTableSql: string;
  /** New column → SQL expression over the old row; other columns present in both definitions are copied by name. */
  readonly columnExpressions?: Readonly<Record<string, string>>;
}

/** What a rebuild did. */
export interface TableRebuildReport {
  readonly table: string;
  readonly rowsCopied: number;
  readonly droppedColumns: readonly string[];
  readonly addedColumns: readonly string[];
  readonly recreated: { readonly indexes: readonly string[]; readonly triggers: readonly string[]; readonly views: readonly string[] };
}

/** A dialect's table rebuild (SQLite's 12-step procedure), for changes its ALTER TABLE cannot make. */
export interface TableRebuild {
  /** Runs `fn` with foreign-key enforcement off, switched outside any transaction and restored afterwards. */
  withoutForeignKeys<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Rebuilds a table inside the caller's transaction (foreign keys off) and
   * checks foreign keys before returning.
   *
   * @throws SpineError `REBUILD_INVALID`, `REBUILD_FOREIGN_KEY_VIOLATION` (the caller's rollback undoes everything)
   */
  rebuild(tx: SqlExecutor, spec: TableRebuildSpec): Promise<TableRebuildReport>;
}

/**
 * Backups of a database: taken online, verified, listed, pruned by the
 * retention policy and restored. File databases (SQLite) implement it.
 */
export interface DatabaseBackups {
  /**
   * An online, verified copy (integrity and size checked) in `directory`.
   *
   * @throws SpineError `BACKUP_FAILED` when the copy cannot be made or fails verification (no file is left)
   */
  create(options: { readonly directory: string; readonly label: string; readonly onProgress?: (done: number, total: number) => void }): Promise<BackupInfo>;
  /** Backups of this database in `directory`, newest first. */
  list(directory: string): Promise<BackupListing[]>;
  /** Deletes backups beyond the policy (never the newest); returns the deleted paths. */
  prune(directory: string, policy: RetentionPolicy): Promise<string[]>;
  /**
   * Puts a verified backup in place of the database, moving the current file aside as `*.failed_<timestamp>`.
   * The caller must have closed its own connection to the database.
   *
   * @throws SpineError `BACKUP_INVALID`, `DB_IN_USE`
   */
  restore(backupPath: string): Promise<RestoreResult>;
}

/** The storage of one table, indexes included (bytes). */
export interface RelationSize {
  readonly table: string;
  /** The table's own pages (SQLite: dbstat; PostgreSQL: `pg_table_size`, TOAST included). */
  readonly tableBytes: number;
  /** Its indexes (SQLite: dbstat of its indexes; PostgreSQL: `pg_indexes_size`). */
  readonly indexBytes: number;
  /** `tableBytes + indexBytes` (PostgreSQL: `pg_total_relation_size`). */
  readonly totalBytes: number;
}

/** A full scan the query plan makes of a table, without an index. */
export interface FullScan {
  /** The scanned table (an alias in the plan is resolved to its table). */
  readonly table: string;
  /** The plan line that shows it (SQLite: `SCAN <name>`; PostgreSQL: `Seq Scan on <table>`). */
  readonly detail: string;
}

/** A query plan: its lines for people and the full table scans it makes. */
export interface QueryPlan {
  /** The plan as an indented tree, one node per line. */
  readonly lines: readonly string[];
  readonly fullScans: readonly FullScan[];
}

/**
 * Maintenance of a database's storage and statistics, in the dialect's own
 * terms (seed 000 "Operational Best Practices"). Works on the schema the
 * connection works in (PostgreSQL: `current_schema()`).
 */
export interface DatabaseMaintenance {
  /** Bytes the database occupies (SQLite: `page_count × page_size`; PostgreSQL: `pg_total_relation_size` summed over the schema's tables). */
  databaseBytes(executor: SqlExecutor): Promise<number>;
  /** Every table's size with its indexes, largest first (SQLite: the `dbstat` virtual table; PostgreSQL: `pg_table_size` / `pg_indexes_size`). */
  relationSizes(executor: SqlExecutor): Promise<RelationSize[]>;
  /**
   * Rewrites the storage so that deleted rows give their space back
   * (SQLite: `VACUUM`, then a WAL checkpoint that truncates the log;
   * PostgreSQL: `VACUUM FULL` of the schema's tables, which locks each table while it is rewritten).
   * Runs outside any transaction: pass an autocommit executor.
   */
  vacuum(executor: SqlExecutor): Promise<void>;
  /**
   * The plan of one statement, without running it, and the tables it reads by a full scan
   * (SQLite: `EXPLAIN QUERY PLAN` rows `SCAN <table>` without an index; PostgreSQL: `EXPLAIN (FORMAT JSON)` `Seq Scan` nodes).
   *
   * @throws SpineError `INVALID_ARGUMENT` when the database rejects the statement
   */
  explain(executor: SqlExecutor, statement: string): Promise<QueryPlan>;
}

/**
 * A dialect: the small set of parts (driver through Kysely, capability flags,
 * tokenizer, introspector, ledger DDL) that everything else is written against.
 */
export interface SpineDialect {
  readonly name: DialectName;
  readonly capabilities: DialectCapabilities;
  /** Where the database lives: a file path, `:memory:`, or a URL without its password. */
  readonly location: string;
  /** The Kysely instance on this database. */
  readonly kysely: Kysely<any>;
  readonly introspector: SchemaIntrospector;
  /** Integrity and foreign-key checks of the whole database. */
  readonly checks: ConsistencyChecks;
  /** Opens an empty throwaway database of the same dialect (the drift check replays migrations into it). */
  openScratch(): Promise<SpineDialect>;
  /** Backups, where the database is something this process can copy (absent for `:memory:`). */
  readonly backups?: DatabaseBackups;
  /** Storage and statistics maintenance: sizes, VACUUM, query plans. */
  readonly maintenance: DatabaseMaintenance;
  /** The table rebuild for ALTER TABLE's gaps, where the dialect needs one (SQLite). */
  readonly tableRebuild?: TableRebuild;
  /** Statements that create the `_migrations` ledger and the `_migration_log` if absent. */
  readonly ledgerDdl: readonly string[];
  /** Wraps a Kysely instance or transaction of this dialect as an executor. */
  executor(kysely: Kysely<any>): SqlExecutor;
  /**
   * Splits a script into statements with a real tokenizer (strings, comments,
   * trigger bodies), never on bare semicolons.
   *
   * @param script the SQL text
   * @param source file name for error messages
   * @throws SpineError `MIGRATION_PARSE_FAILED` with the location of the syntax the tokenizer rejects
   */
  splitStatements(script: string, source: string): ParsedStatement[];
  /**
   * Decides whether a statement runs. Lets a dialect make statements
   * idempotent that its SQL cannot (SQLite's `ADD COLUMN` has no `IF NOT EXISTS`).
   *
   * @throws SpineError `MIGRATION_COLUMN_CONFLICT` when the statement conflicts with the live schema
   */
  prepareStatement(executor: SqlExecutor, statement: ParsedStatement): Promise<StatementAction>;
  /**
   * Takes the lock that serialises migration runs (schema changes, rollbacks,
   * baselines) across processes; released by the returned handle or by the
   * holder's death.
   *
   * @throws SpineError `MIGRATION_LOCKED` when another run holds it longer than `timeoutMs`
   */
  acquireMigrationLock(options: MigrationLockOptions): Promise<MigrationLock>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}
