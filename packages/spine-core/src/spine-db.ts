import type { Kysely } from 'kysely';
import { ErrorCode, SpineError } from './errors.js';
import { openSqliteDialect, sqliteFileBackups } from './dialect/sqlite/sqlite-dialect.js';
import type { DatabaseBackups, DialectCapabilities, DialectName, SpineDialect, SqlExecutor } from './dialect/types.js';
import { migrateOnOpen } from './migrations/from-config.js';
import { openPostgresDialect, parsePostgresTarget, postgresTargetBackups } from './dialect/postgres/pg-dialect.js';
import type { PostgresTarget } from './dialect/postgres/pg-dialect.js';
import type { MigrateOnOpenOptions } from './migrations/from-config.js';

/** Where and how to open a database. */
export interface SpineDbOptions {
  /**
   * The database: a SQLite file path, `:memory:` or `sqlite:<path>`; a
   * PostgreSQL server `postgres://user@host:port/db[?schema=s]`; or
   * `pglite://<name>[?schema=s]` for PostgreSQL in process (tests, demos).
   */
  readonly target: string;
  /** Open read-only: no schema change and no writes. Default false. */
  readonly readonly?: boolean;
  /**
   * How long a writer waits for a lock held by another process, in milliseconds. Default 5000.
   * (SQLite: `busy_timeout`; PostgreSQL: `lock_timeout`.)
   */
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

/** A database target, parsed: a SQLite file or a PostgreSQL server/PGlite URL. */
type ParsedTarget = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly target: PostgresTarget };

/**
 * What a target names: `postgres://…`/`postgresql://…` (a server) and
 * `pglite://<name>` (in-process PostgreSQL) go to the PostgreSQL dialect;
 * `path`, `sqlite:path` and `:memory:` to SQLite.
 *
 * @throws SpineError `INVALID_ARGUMENT` for an unsupported URL scheme or an empty target
 */
function parseTarget(targetText: string): ParsedTarget {
  const target = targetText.trim();
  if (/^(postgres(ql)?|pglite):\/\//i.test(target)) return { kind: 'postgres', target: parsePostgresTarget(target) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unsupported database URL ${JSON.stringify(target.replace(/:[^:@/]*@/, ':***@'))}.`, {
      hint: 'Give a SQLite file path such as ./spine.db, :memory:, or a postgres://user@host:port/database URL.',
    });
  }
  const path = target.startsWith('sqlite:') ? target.slice('sqlite:'.length) : target;
  if (path === '') {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'No database path given.', { hint: 'Pass --db <file> or set SPINE_DB.' });
  }
  return { kind: 'sqlite', path };
}

/**
 * The backups of a database, without connecting to it: a corrupt or deleted
 * SQLite file can still be listed and restored; a PostgreSQL database is
 * dumped and restored with `pg_dump`/`pg_restore`.
 *
 * @throws SpineError `UNSUPPORTED` for `:memory:` and PGlite; `INVALID_ARGUMENT` for an unsupported target
 */
export function databaseBackups(target: string): DatabaseBackups {
  const parsed = parseTarget(target);
  if (parsed.kind === 'postgres') {
    const backups = postgresTargetBackups(parsed.target);
    if (!backups) {
      throw new SpineError(ErrorCode.UNSUPPORTED, `${parsed.target.display} is an in-process PGlite database; it has no pg_dump backups.`, {
        hint: 'Use a PostgreSQL server URL (postgres://…) or a SQLite file.',
      });
    }
    return backups;
  }
  if (parsed.path === ':memory:') {
    throw new SpineError(ErrorCode.UNSUPPORTED, 'An in-memory database cannot be backed up or restored.', { hint: 'Use a database file.' });
  }
  return sqliteFileBackups(parsed.path);
}

/**
 * Opens a database, optionally checking (and migrating) its schema.
 *
 * @throws SpineError `DB_OPEN_FAILED` when it cannot be opened; `INVALID_ARGUMENT` for an unsupported URL scheme;
 *   with `migrateOnOpen`, what {@link migrateOnOpen} throws
 */
export async function openSpineDb<DB = any>(options: SpineDbOptions | string): Promise<SpineDb<DB>> {
  const opts: SpineDbOptions = typeof options === 'string' ? { target: options } : options;
  const parsed = parseTarget(opts.target);
  const dialect =
    parsed.kind === 'postgres'
      ? await openPostgresDialect(parsed.target, { readonly: opts.readonly ?? false, ...(opts.busyTimeoutMs === undefined ? {} : { lockTimeoutMs: opts.busyTimeoutMs }) })
      : openSqliteDialect({
          path: parsed.path,
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
