import { CompiledQuery } from 'kysely';
import type { DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';
import type { PgBackend, PgSession } from './pg-backend.js';

/** A Kysely connection over one backend session; exposes the session for COPY. */
export class PgConnection implements DatabaseConnection {
  constructor(readonly session: PgSession) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.session.query<R>(compiledQuery.sql, compiledQuery.parameters);
    const isWrite = /^\s*(insert|update|delete|merge)\b/i.test(compiledQuery.sql);
    return {
      rows: result.rows,
      ...(isWrite ? { numAffectedRows: BigInt(result.rowCount) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by this PostgreSQL driver.');
  }
}

/** Kysely driver for a {@link PgBackend}: one session per connection, `BEGIN`/`COMMIT`/`ROLLBACK` transactions. */
export class PgDriver implements Driver {
  constructor(private readonly backend: PgBackend) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgConnection(await this.backend.acquire());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : '';
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection).session.release();
  }

  async destroy(): Promise<void> {
    await this.backend.end();
  }
}
