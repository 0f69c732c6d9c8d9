import type { Kysely } from 'kysely';
import { ErrorCode, SpineError } from './errors.js';
import { openSqliteDialect, sqliteFileBackups } from './dialect/sqlite/sqlite-dialect.js';
import type { DatabaseBackups, DialectCapabilities, DialectName, SpineDialect, SqlExecutor } from './dialect/types.js';
import { migrateOnOpen } from './migrations/from-config.js';
import type { MigrateOnOpenOptions } from './migrations/from-config.js';

/** Where and how to open a database. */
export interface SpineDbOptions {
  /**
   * The database: a SQLite file path, `:memory:`, or `sqlite:<path>`.
   * PostgreSQL URLs are recognised and refused by this build with a clear error.
   */
  readonly target: string;
  /** Open read-only: no schema change and no writes. Default false. */
  readonly readonly?: boolean;
  /** How long a writer waits for a lock held by another process, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Check the schema on open (seed 002's startup check): refuse a database
   * newer than the code, and apply pending migrations when the config's
   * `schema.auto_migrate` is true (else refuse with SCHEMA_NOT_MIGRATED).
   */
  readonly migrateOnOpen?: MigrateOnOpenOptions;
}

/**
 * One database handle: a Kysely instance plus the dialect's parts. Callers
 * decide on {@link SpineDb.capabilities}, never on the dialect's name.
 *
 * @typeParam DB Kysely table types the caller queries (declared once per package)
 */
export class SpineDb<DB = any> {
  readonly dialect: SpineDialect;

  /** Wraps an opened dialect; use {@link openSpineDb} to open one. */
  constructor(dialect: SpineDialect) {
    this.dialect = dialect;
  }

  /** The dialect's name, for ledger rows and messages only — not for branching. */
  get dialectName(): DialectName {
    return this.dialect.name;
  }

  /** What this database can do. */
  get capabilities(): DialectCapabilities {
    return this.dialect.capabilities;
  }

  /** The typed Kysely instance (autocommit). */
  get kysely(): Kysely<DB> {
    return this.dialect.kysely as Kysely<DB>;
  }

  /** Where the database lives (path, `:memory:` or a URL without password). */
  get location(): string {
    return this.dialect.location;
  }

  /** An executor that runs each statement in autocommit mode. */
  executor(): SqlExecutor {
    return this.dialect.executor(this.dialect.kysely);
  }

  /**
   * Runs `fn` in one write transaction (`BEGIN IMMEDIATE` on SQLite). Commits
   * when `fn` resolves; rolls back everything `fn` did when it throws, then
   * rethrows, so a failed write leaves the database as it was.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.dialect.kysely.transaction().execute((trx) => fn(this.dialect.executor(trx)));
  }

  /** Closes the connection. The handle is unusable afterwards. */
  async close(): Promise<void> {
    await this.dialect.close();
  }
}

/**
 * The SQLite file a target names (`path`, `sqlite:path`, `:memory:`).
 *
 * @throws SpineError `INVALID_ARGUMENT` for a URL this build does not support, or an empty target
 */
function sqlitePath(targetText: string): string {
  const target = targetText.trim();
  if (/^postgres(ql)?:\/\//i.test(target)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'PostgreSQL databases are not supported by this build of Market Spine.', {
      hint: 'Use a SQLite file path (for example ./spine.db).',
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unsupported database URL ${JSON.stringify(target)}.`, {
      hint: 'Give a SQLite file path such as ./spine.db, or :memory:.',
    });
  }
  const path = target.startsWith('sqlite:') ? target.slice('sqlite:'.length) : target;
  if (path === '') {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'No database path given.', { hint: 'Pass --db <file> or set SPINE_DB.' });
  }
  return path;
}

/**
 * The backups of a database, without connecting to it: a corrupt or deleted
 * database can still be listed and restored.
 *
 * @throws SpineError `UNSUPPORTED` for `:memory:`; `INVALID_ARGUMENT` for an unsupported target
 */
export function databaseBackups(target: string): DatabaseBackups {
  const path = sqlitePath(target);
  if (path === ':memory:') {
    throw new SpineError(ErrorCode.UNSUPPORTED, 'An in-memory database cannot be backed up or restored.', { hint: 'Use a database file.' });
  }
  return sqliteFileBackups(path);
}

/**
 * Opens a database, optionally checking (and migrating) its schema.
 *
 * @throws SpineError `DB_OPEN_FAILED` when it cannot be opened; `INVALID_ARGUMENT` for an unsupported URL scheme;
 *   with `migrateOnOpen`, what {@link migrateOnOpen} throws
 */
export async function openSpineDb<DB = any>(options: SpineDbOptions | string): Promise<SpineDb<DB>> {
  const opts: SpineDbOptions = typeof options === 'string' ? { target: options } : options;
  const path = sqlitePath(opts.target);
  const dialect = openSqliteDialect({
    path,
    ...(opts.readonly === undefined ? {} : { readonly: opts.readonly }),
    ...(opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs }),
  });
  const db = new SpineDb<DB>(dialect);
  if (opts.migrateOnOpen) {
    try {
      await migrateOnOpen(db, opts.migrateOnOpen);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
