import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SelectQueryNode } from 'kysely';
import type { DatabaseConnection, Driver, QueryResult } from 'kysely';

type Statement = BetterSqlite3.Statement<unknown[]>;

/** Prepared statements kept per connection; Kysely recompiles to the same SQL text, so reuse pays. */
const STATEMENT_CACHE_SIZE = 256;

/** better-sqlite3 refuses booleans; SQLite stores them as 0/1 (SQLite docs, "Boolean Datatype"). */
function bindable(parameters: readonly unknown[]): unknown[] {
  return parameters.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}

/**
 * The single better-sqlite3 connection behind Kysely, with a prepared
 * statement cache. Synchronous underneath; Kysely serialises access.
 */
export class SqliteConnection implements DatabaseConnection {
  readonly #db: BetterSqlite3.Database;
  readonly #cache = new Map<string, Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  /** The better-sqlite3 handle, for bulk inserts on the same connection. */
  get raw(): BetterSqlite3.Database {
    return this.#db;
  }

  /** A cached prepared statement for `sqlText`. */
  prepare(sqlText: string): Statement {
    let stmt = this.#cache.get(sqlText);
    if (stmt) {
      // Refresh recency: Map iteration order is insertion order.
      this.#cache.delete(sqlText);
    } else {
      stmt = this.#db.prepare(sqlText);
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
    }
    this.#cache.set(sqlText, stmt);
    return stmt;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.prepare(compiledQuery.sql);
    const parameters = bindable(compiledQuery.parameters);
    if (stmt.reader) {
      return { rows: stmt.all(...parameters) as R[] };
    }
    const { changes, lastInsertRowid } = stmt.run(...parameters);
    return {
      insertId: BigInt(lastInsertRowid),
      numAffectedRows: BigInt(changes),
      rows: [],
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) {
      throw new Error('The SQLite driver streams SELECT queries only.');
    }
    // Not from the cache: an iterating statement is busy and cannot be shared.
    const stmt = this.#db.prepare(compiledQuery.sql);
    for (const row of stmt.iterate(...bindable(compiledQuery.parameters))) {
      yield { rows: [row as R] };
    }
  }
}

/**
 * Kysely driver for one better-sqlite3 database. Transactions start with
 * `BEGIN IMMEDIATE`: the write lock is taken up front, so two writers wait on
 * `busy_timeout` instead of failing with SQLITE_BUSY on a lock upgrade
 * (SQLite docs, "Transaction": deferred, immediate, exclusive).
 */
export class SqliteDriver implements Driver {
  readonly #connection: SqliteConnection;

  constructor(db: BetterSqlite3.Database) {
    this.#connection = new SqliteConnection(db);
  }

  get connection(): SqliteConnection {
    return this.#connection;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR…); a second
    // ROLLBACK would fail and hide the error that caused it.
    if (this.#connection.raw.inTransaction) {
      await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    if (this.#connection.raw.open) this.#connection.raw.close();
  }
}
