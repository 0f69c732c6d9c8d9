/**
 * Test support shared by the packages' suites (`@market-spine/core/testing`):
 * the dialects a suite runs on, each able to hand out fresh empty databases.
 *
 * PostgreSQL runs against the server in `SPINE_TEST_PG_URL` when it is set
 * (every database is a schema of that server's database, named after the run
 * so the run's teardown drops them all), and on PGlite in process otherwise,
 * so the suites pass on a machine without PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSpineDb } from './spine-db.js';
import type { SpineDb, SpineDbOptions } from './spine-db.js';
import type { DialectName } from './dialect/types.js';

/** Environment variable naming the PostgreSQL server of the tests (e.g. `postgres://postgres@127.0.0.1:5432/test`). */
export const TEST_PG_URL_ENV = 'SPINE_TEST_PG_URL';
/** Environment variable carrying the run's schema prefix from the global setup to the test workers. */
export const TEST_SCHEMA_PREFIX_ENV = 'SPINE_TEST_SCHEMA_PREFIX';
/** Prefix of every schema a test run creates on the server: `spine_t_<UTC yyyymmddhhmmss>_<random>_`. */
export const TEST_SCHEMA_FAMILY = 'spine_t_';

/** A dialect a suite runs on. */
export interface TestDialect {
  /** The dialect, as the suite's title shows it. */
  readonly name: Exclude<DialectName, 'db2'>;
  /** Where it runs: a SQLite file, a PostgreSQL server, or PGlite in process. */
  readonly backend: 'sqlite' | 'postgres-server' | 'pglite';
  /** A target for a new, empty database (a file path or a URL with a fresh schema). */
  newTarget(): string;
  /** Opens a new, empty database; closed and removed by {@link closeTestDatabases}. */
  open(options?: Omit<SpineDbOptions, 'target'>): Promise<SpineDb>;
}

const opened: { db: SpineDb; cleanup: () => void }[] = [];

/** The run's schema prefix: from the global setup when there is one, else made up for this worker. */
function schemaPrefix(): string {
  process.env[TEST_SCHEMA_PREFIX_ENV] ??= runSchemaPrefix();
  return process.env[TEST_SCHEMA_PREFIX_ENV];
}

/** A new run's schema prefix, `spine_t_<UTC yyyymmddhhmmss>_<6 hex>_`. */
export function runSchemaPrefix(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${TEST_SCHEMA_FAMILY}${stamp}_${randomBytes(3).toString('hex')}_`;
}

let counter = 0;
const freshSchema = () => `${schemaPrefix()}${process.pid}_${(counter += 1)}`;

function postgresDialect(): TestDialect {
  const server = process.env[TEST_PG_URL_ENV];
  const base = server ? server : 'pglite://spine-tests';
  const newTarget = () => {
    const url = new URL(base);
    url.searchParams.set('schema', freshSchema());
    return url.toString();
  };
  return {
    name: 'postgres',
    backend: server ? 'postgres-server' : 'pglite',
    newTarget,
    async open(options = {}) {
      // Other suites share the server: a statement may wait behind their transactions
      // (CREATE INDEX CONCURRENTLY waits for every older one), so tests wait longer than the 5 s default.
      const db = await openSpineDb({ busyTimeoutMs: 30_000, ...options, target: newTarget() });
      opened.push({ db, cleanup: () => undefined });
      return db;
    },
  };
}

function sqliteDialect(): TestDialect {
  const newTarget = () => join(mkdtempSync(join(tmpdir(), 'spine-test-')), 'spine.db');
  return {
    name: 'sqlite',
    backend: 'sqlite',
    newTarget,
    async open(options = {}) {
      const target = newTarget();
      const db = await openSpineDb({ ...options, target });
      opened.push({ db, cleanup: () => rmSync(join(target, '..'), { recursive: true, force: true }) });
      return db;
    },
  };
}

/**
 * The dialects every dialect-sensitive suite runs on, kysely-style:
 * `for (const dialect of testDialects()) describe(dialect.name, …)`.
 */
export function testDialects(): TestDialect[] {
  return [sqliteDialect(), postgresDialect()];
}

/** True when PostgreSQL tests run against a real server (concurrency and lock tests need one). */
export function hasPostgresServer(): boolean {
  return Boolean(process.env[TEST_PG_URL_ENV]);
}

/** Closes every database {@link TestDialect.open} handed out (call in `afterEach`). */
export async function closeTestDatabases(): Promise<void> {
  while (opened.length > 0) {
    const entry = opened.pop();
    if (!entry) break;
    await entry.db.close();
    entry.cleanup();
  }
}
export { binaryUnavailable, databaseState, requireOrSkip, requireSqlClient, runSqlClient, sqlClientUnavailable } from './testing-bundles.js';
export type { ComparableLedgerRow, DatabaseState, SqlClientRun } from './testing-bundles.js';
