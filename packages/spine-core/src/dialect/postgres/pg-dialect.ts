import { randomBytes } from 'node:crypto';
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Dialect } from 'kysely';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { quoteIdentifier } from '../../identifiers.js';
import type { DatabaseBackups, DialectCapabilities, MigrationLock, SpineDialect, SqlExecutor, SqlValue } from '../types.js';
import { pgliteBackend, poolBackend } from './pg-backend.js';
import type { PgBackend, PgSessionSettings } from './pg-backend.js';
import { postgresBackups } from './pg-backups.js';
import { PgConnection, PgDriver } from './pg-driver.js';
import { postgresChecks, postgresIntrospector } from './pg-introspector.js';
import { postgresMaintenance } from './pg-maintenance.js';
import { loadPostgresParser, splitPostgresStatements } from './pg-statements.js';
import { csvChunks } from './pg-values.js';
import { ledgerDdl } from '../../migrations/ledger-ddl.js';

const POSTGRES_CAPABILITIES: DialectCapabilities = {
  transactionalDdl: true,
  distinctOn: true,
  partitioning: true,
  advisoryLocks: true,
  fileDatabase: false,
};

/** The ledger, PostgreSQL form: instants as TIMESTAMPTZ, the success flag as BOOLEAN, the log id an identity column. */
export const POSTGRES_LEDGER_DDL = ledgerDdl({
  instant: 'TIMESTAMPTZ',
  successFlag: 'BOOLEAN NOT NULL DEFAULT TRUE',
  logId: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
});

/** Where a PostgreSQL target points: a server URL or in-process PGlite, and the schema used as the database. */
export interface PostgresTarget {
  /** `server`: a real PostgreSQL; `pglite`: in-process PostgreSQL (tests, demos). */
  readonly kind: 'server' | 'pglite';
  /** The connection string without the `schema` parameter (server), or the PGlite instance name. */
  readonly connection: string;
  /** The schema every session works in (`?schema=` of the URL), or null for the default search_path. */
  readonly schema: string | null;
  /** The database name (for backup file names). */
  readonly database: string;
  /** The target shown to people: the URL without its password. */
  readonly display: string;
}

/**
 * Parses `postgres://user@host:port/db?schema=s` (or `postgresql://`) and
 * `pglite://<name>?schema=s`. The `schema` parameter is Market Spine's: every
 * session sets `search_path` to it (created if absent), so one server database
 * can hold several Market Spine databases, one per schema.
 *
 * @throws SpineError `INVALID_ARGUMENT` for a malformed URL or schema name
 */
export function parsePostgresTarget(target: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Malformed database URL ${JSON.stringify(target.replace(/:[^:@/]*@/, ':***@'))}: ${errorMessage(error)}`);
  }
  const schemaParam = url.searchParams.get('schema');
  const schema = schemaParam === null ? null : quoteIdentifier(schemaParam, 'schema').slice(1, -1);
  url.searchParams.delete('schema');
  if (url.protocol === 'pglite:') {
    const name = url.hostname || url.pathname.replace(/^\/+/, '') || 'memory';
    return { kind: 'pglite', connection: name, schema, database: `pglite-${name}`, display: `pglite://${name}${schema ? `?schema=${schema}` : ''}` };
  }
  const display = new URL(url.toString());
  if (display.password) display.password = '***';
  if (schema) display.searchParams.set('schema', schema);
  return { kind: 'server', connection: url.toString(), schema, database: url.pathname.replace(/^\//, '') || 'postgres', display: display.toString() };
}

/** Rows copied in one bulk insert after which the table is analyzed (see `insertRows`). */
const ANALYZE_AFTER_ROWS = 1000;

function createExecutor(kysely: Kysely<any>): SqlExecutor {
  return {
    kysely,
    async exec(statement: string): Promise<void> {
      // On the executor's own connection (the transaction's, inside one), through the simple protocol.
      await kysely.getExecutor().provideConnection((connection) => (connection as PgConnection).session.exec(statement));
    },
    async insertRows(table: string, columns: readonly string[], rows: Iterable<readonly SqlValue[]>): Promise<number> {
      const columnList = columns.map((c) => quoteIdentifier(c, 'column')).join(', ');
      const copySql = `COPY ${quoteIdentifier(table, 'table')} (${columnList}) FROM STDIN WITH (FORMAT csv)`;
      const chunks = csvChunks(rows);
      const first = chunks.next();
      if (first.done) return 0;
      // COPY runs on the connection of the executor: inside a transaction, the transaction's own connection.
      return kysely.getExecutor().provideConnection(async (connection) => {
        const { session } = connection as PgConnection;
        const copied = await session.copyCsv(copySql, (function* () {
          yield first.value;
          yield* chunks;
        })());
        // A bulk load leaves the planner's statistics behind (autovacuum analyzes later, if at all before the
        // next query): without them it misjudges the very next reads of the table (seen: 17 s instead of ms).
        if (copied >= ANALYZE_AFTER_ROWS) await session.exec(`ANALYZE ${quoteIdentifier(table, 'table')}`);
        return copied;
      });
    },
  };
}

/** Options of {@link openPostgresDialect}. */
export interface PostgresOpenOptions {
  /** Sessions refuse writes (`default_transaction_read_only`). Default false. */
  readonly readonly?: boolean;
  /** `lock_timeout`: how long a statement waits for another session's lock, in milliseconds. Default 5000. */
  readonly lockTimeoutMs?: number;
}

/**
 * The backups of a PostgreSQL target (`pg_dump`/`pg_restore` of its schema),
 * or undefined for PGlite, which those tools cannot reach.
 */
export function postgresTargetBackups(target: PostgresTarget): DatabaseBackups | undefined {
  return target.kind === 'server' ? postgresBackups(target.connection, target.database, target.schema ?? 'public') : undefined;
}

/**
 * Opens a PostgreSQL database — a server through `pg`, or PGlite in process —
 * and returns its dialect parts: Kysely on a pooled driver whose values read
 * back as on SQLite, PostgreSQL's own parser for scripts, catalog
 * introspection, advisory-lock migration lock, `pg_dump` backups, and scratch
 * schemas for the drift check.
 *
 * @throws SpineError `DB_OPEN_FAILED` when the server cannot be reached
 */
export async function openPostgresDialect(target: PostgresTarget, options: PostgresOpenOptions = {}): Promise<SpineDialect> {
  await loadPostgresParser();
  const settings: PgSessionSettings = { schema: target.schema, readonly: options.readonly ?? false, lockTimeoutMs: options.lockTimeoutMs ?? 5000 };
  let backend: PgBackend;
  try {
    backend = target.kind === 'server' ? await poolBackend(target.connection, settings, `spine pid ${process.pid}`) : await pgliteBackend(target.connection, settings);
    // Connect once now, so that a wrong URL fails here with DB_OPEN_FAILED rather than at the first query.
    (await backend.acquire()).release();
  } catch (error) {
    throw new SpineError(ErrorCode.DB_OPEN_FAILED, `Cannot open PostgreSQL database ${target.display}: ${errorMessage(error)}`, {
      hint: 'Check the URL, that the server runs (pg_lsclusters) and accepts this user.',
      cause: error,
    });
  }
  return dialectOn(target, backend);
}

function dialectOn(target: PostgresTarget, backend: PgBackend): SpineDialect {
  const driver = new PgDriver(backend);
  const kyselyDialect: Dialect = {
    createDriver: () => driver,
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  const kysely = new Kysely<any>({ dialect: kyselyDialect });
  return {
    name: 'postgres',
    capabilities: POSTGRES_CAPABILITIES,
    location: target.display,
    kysely,
    introspector: postgresIntrospector,
    ledgerDdl: POSTGRES_LEDGER_DDL,
    executor: createExecutor,
    splitStatements: splitPostgresStatements,
    // PostgreSQL has ADD COLUMN IF NOT EXISTS; the PostgreSQL variants use it.
    prepareStatement: async () => ({ action: 'run' }),
    acquireMigrationLock: (options): Promise<MigrationLock> => backend.migrationLock(target.display, options),
    checks: postgresChecks,
    maintenance: postgresMaintenance,
    async openScratch() {
      const schema = `spine_scratch_${randomBytes(6).toString('hex')}`;
      const scratchBackend = await backend.withSchema(schema);
      const scratch = dialectOn({ ...target, schema, display: `${target.display} (scratch ${schema})` }, scratchBackend);
      return {
        ...scratch,
        async close() {
          await scratch.executor(scratch.kysely).exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema, 'schema')} CASCADE`);
          await scratch.close();
        },
      };
    },
    ...(target.kind === 'server' ? { backups: postgresTargetBackups(target) as DatabaseBackups } : {}),
    close: () => kysely.destroy(),
  };
}
