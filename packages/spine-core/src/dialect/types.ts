import type { Kysely } from 'kysely';

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
  /** Statements that create the `_migrations` ledger and `_migration_failures` log if absent. */
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
  /** Closes the connection(s). */
  close(): Promise<void>;
}
