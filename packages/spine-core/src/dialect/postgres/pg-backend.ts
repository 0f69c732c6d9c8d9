import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteCatalogName } from '../../identifiers.js';
import type { MigrationLock, MigrationLockOptions } from '../types.js';
import { acquirePostgresMigrationLock } from './pg-lock.js';
import { PG_TEXT_PARSERS } from './pg-values.js';

/** A query result, the same for both backends. */
export interface PgResult<R = Record<string, unknown>> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** One session (connection) of a backend. */
export interface PgSession {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<PgResult<R>>;
  /** Runs SQL without parameters through the simple query protocol: a script of several statements is fine. */
  exec(text: string): Promise<void>;
  /** `COPY <table> (<columns>) FROM STDIN (FORMAT csv)` with the CSV text in `chunks` as the data; returns rows copied. */
  copyCsv(copySql: string, chunks: Iterable<string>): Promise<number>;
  release(): void;
}

/** A PostgreSQL server pool or an in-process PGlite, behind one interface. */
export interface PgBackend {
  acquire(): Promise<PgSession>;
  end(): Promise<void>;
  /** A new, writable backend on another schema of the same database (for scratch replays, also of a read-only database). */
  withSchema(schema: string): Promise<PgBackend>;
  /** The lock that serialises migration runs on this schema (see {@link acquirePostgresMigrationLock}); `target` names the database in messages. */
  migrationLock(target: string, options: MigrationLockOptions): Promise<MigrationLock>;
}

/** Session settings every connection of a backend starts with. */
export interface PgSessionSettings {
  /** The schema sessions work in (`search_path`), created if absent; null keeps the server's default. */
  readonly schema: string | null;
  /** `default_transaction_read_only`: refuse writes (readers of a database). */
  readonly readonly: boolean;
  /** `lock_timeout` in milliseconds: how long a statement waits for a lock held by another session. */
  readonly lockTimeoutMs: number;
}

/** `SET`-able parameters for the settings (search_path is handled apart, as it needs the schema to exist). */
function settingPairs(settings: PgSessionSettings): [string, string][] {
  return [
    // Instants print in UTC (read back as ISO-8601 UTC text, as SQLite stores them).
    ['TimeZone', 'UTC'],
    ['lock_timeout', String(Math.max(0, Math.trunc(settings.lockTimeoutMs)))],
    ['default_transaction_read_only', settings.readonly ? 'on' : 'off'],
    ...(settings.schema === null ? [] : ([['search_path', quoteCatalogName(settings.schema)]] as [string, string][])),
  ];
}

/** A server backend: a `pg` pool whose sessions use the settings and the project's value parsers. */
export async function poolBackend(connectionString: string, settings: PgSessionSettings, applicationName: string): Promise<PgBackend> {
  const { schema } = settings;
  const parserTypes = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      (format ?? 'text') === 'text' && PG_TEXT_PARSERS[oid] ? PG_TEXT_PARSERS[oid] : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString,
    application_name: applicationName,
    max: 4,
    types: parserTypes as unknown as pg.CustomTypesConfig,
    // Libpq `options`: set at connection start, before any query, on every pooled connection.
    options: settingPairs(settings)
      .map(([name, value]) => `-c ${name}=${value.replace(/[\\ ]/g, '\\$&')}`)
      .join(' '),
  });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  if (schema !== null && !settings.readonly) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteCatalogName(schema)}`);
  const backend: PgBackend = {
    async acquire() {
      const client = await pool.connect();
      return {
        async query(text, params) {
          const result = await client.query({ text, values: params as unknown[] | undefined });
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        },
        async exec(text) {
          await client.query(text);
        },
        async copyCsv(copySql, chunks) {
          const stream = client.query(copyFrom(copySql));
          await pipeline(Readable.from(chunks), stream);
          return Number(stream.rowCount ?? 0);
        },
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
    withSchema: (other) => poolBackend(connectionString, { ...settings, schema: other, readonly: false }, applicationName),
    migrationLock: (target, options) => acquirePostgresMigrationLock(backend, target, options),
  };
  return backend;
}

/** PGlite instances by name: one in-process PostgreSQL per name, its schemas serving as separate databases. */
const instances = new Map<string, Promise<PGlite>>();

/**
 * An in-process PostgreSQL (PGlite) backend — where no server is given, e.g.
 * the test suite on a machine without PostgreSQL. One connection is shared:
 * sessions take turns (a mutex) and each sets its own `search_path`.
 */
export async function pgliteBackend(name: string, settings: PgSessionSettings): Promise<PgBackend> {
  let instance = instances.get(name);
  if (!instance) {
    instance = PGlite.create({ parsers: PG_TEXT_PARSERS as Record<number, (value: string) => unknown> });
    instances.set(name, instance);
  }
  const db = (await instance) as PGlite & { spineTurn?: Promise<void>; spineSettings?: string };

  /** A turn on the shared connection with these settings in effect (the previous turn's are replaced). */
  const takeTurn = async (pairs: [string, string][]): Promise<() => void> => {
    const previous = db.spineTurn ?? Promise.resolve();
    let release!: () => void;
    db.spineTurn = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    await previous;
    const key = JSON.stringify(pairs);
    if (db.spineSettings !== key) {
      try {
        for (const [parameter, value] of pairs) await db.query('SELECT set_config($1, $2, false)', [parameter, value]);
      } catch (error) {
        release();
        throw error;
      }
      db.spineSettings = key;
    }
    return release;
  };

  if (settings.schema !== null && !settings.readonly) {
    const release = await takeTurn(settingPairs({ ...settings, schema: null }));
    try {
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteCatalogName(settings.schema)}`);
    } finally {
      release();
    }
  }
  const pairs = settingPairs({ ...settings, schema: settings.schema ?? 'public' });
  return {
    async acquire() {
      const release = await takeTurn(pairs);
      return {
        async query(text, params) {
          const result = await db.query(text, params as unknown[] | undefined);
          return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length };
        },
        async exec(text) {
          await db.exec(text);
        },
        async copyCsv(copySql, chunks) {
          const fromBlob = copySql.replace(/FROM STDIN/i, "FROM '/dev/blob'");
          const result = await db.query(fromBlob, [], { blob: new Blob([...chunks]) });
          return result.affectedRows ?? 0;
        },
        release,
      };
    },
    async end() {
      // The instance is shared by name; it lives as long as the process.
    },
    withSchema: (other) => pgliteBackend(name, { ...settings, schema: other, readonly: false }),
    // PGlite lives inside this process (like SQLite's :memory:): no other process can migrate it, and
    // a lock session would hold the one shared connection that the migration itself needs.
    migrationLock: async () => ({ release: async () => undefined }),
  };
}
