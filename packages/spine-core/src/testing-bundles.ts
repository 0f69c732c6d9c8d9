/**
 * Test support for quarterly bundles (part of `@market-spine/core/testing`):
 * the database clients a bundle's SQL files are written for — the sqlite3
 * CLI and psql — run the way a DBA runs them (`sqlite3 spine.db < sqlite.sql`,
 * `psql <url> -f postgres.sql`), and what a database holds afterwards.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { quoteCatalogName } from './identifiers.js';
import { readLedger } from './migrations/ledger.js';
import type { LedgerRow } from './migrations/ledger.js';
import type { SchemaSnapshot } from './schema/schema-snapshot.js';
import type { SpineDb } from './spine-db.js';
import type { TestDialect } from './testing.js';

/** What one client run printed and returned. */
export interface SqlClientRun {
  /** The client's exit status (non-zero when a statement failed under `.bail on` / `ON_ERROR_STOP`). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

type SpawnResult = ReturnType<typeof spawnSync>;

const done = (result: SpawnResult): SqlClientRun => ({ code: result.status ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) });

/** `sqlite3 <path> < file`. */
function runSqlite3(target: string, file: string): SqlClientRun {
  return done(spawnSync('sqlite3', [target], { input: readFileSync(file), encoding: 'utf8' }));
}

/** `psql <url> -f file` in the URL's `schema` (Market Spine's parameter, not libpq's), created first when absent. */
function runPsql(target: string, file: string): SqlClientRun {
  const url = new URL(target);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const psql = (args: readonly string[]) =>
    done(spawnSync('psql', ['-X', '-q', url.toString(), ...args], { encoding: 'utf8', env: { ...process.env, PGOPTIONS: schema === null ? '' : `-csearch_path=${schema}` } }));
  if (schema !== null) {
    const created = psql(['-v', 'ON_ERROR_STOP=1', '-c', `CREATE SCHEMA IF NOT EXISTS ${quoteCatalogName(schema)}`]);
    if (created.code !== 0) return created;
  }
  return psql(['-f', file]);
}

/** Each test dialect's client: its binary, where to get it, whether PGlite rules it out, how to run a file. */
const CLIENTS: Readonly<Record<TestDialect['name'], { binary: string; install: string; needsServer: boolean; run: (target: string, file: string) => SqlClientRun }>> = {
  sqlite: { binary: 'sqlite3', install: 'apt-get install sqlite3', needsServer: false, run: runSqlite3 },
  postgres: { binary: 'psql', install: 'apt-get install postgresql-client', needsServer: true, run: runPsql },
};

/**
 * Why the dialect's client cannot run here, or null when it can: the binary
 * is not on PATH, or (psql) the suite runs on PGlite, which psql cannot reach.
 */
export function sqlClientUnavailable(dialect: TestDialect): string | null {
  const client = CLIENTS[dialect.name];
  const missing = binaryUnavailable(client.binary, client.install);
  if (missing !== null) return missing;
  if (client.needsServer && dialect.backend === 'pglite') return `${client.binary} needs a PostgreSQL server: set SPINE_TEST_PG_URL`;
  return null;
}

/**
 * Runs a SQL file with the dialect's client on a test target: `sqlite3 <path>`
 * with the file on stdin, or `psql -X -q <url> -f <file>` with `search_path`
 * set to the target's schema (created first when absent, as opening it with
 * the engine would).
 *
 * @param target a target from {@link TestDialect.newTarget}
 */
export function runSqlClient(dialect: TestDialect, target: string, file: string): SqlClientRun {
  return CLIENTS[dialect.name].run(target, file);
}

/**
 * For a test that needs something the machine may lack (a client binary, a
 * server): returns when `missing` is null; otherwise fails in CI (`CI=true`
 * or `1`, where `.ci/run` provides it) and elsewhere calls `skip` with the
 * reason (vitest's `ctx.skip`).
 *
 * @param missing why the test cannot run here, or null
 * @throws Error in CI when `missing` is not null
 */
export function requireOrSkip(missing: string | null, skip: (reason: string) => void): void {
  if (missing === null) return;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(missing);
  skip(`skipped: ${missing}`);
}

/** Why `binary` cannot run here (not on PATH, with how to `install` it), or null. */
export function binaryUnavailable(binary: string, install: string): string | null {
  return onPath(binary) ? null : `${binary} is not on PATH (${install})`;
}

/** {@link requireOrSkip} for the dialect's client ({@link sqlClientUnavailable}). */
export function requireSqlClient(dialect: TestDialect, skip: (reason: string) => void): void {
  requireOrSkip(sqlClientUnavailable(dialect), skip);
}

/** A ledger row without what differs by nature between two runs (time, actor, duration); `success` as 0/1 on every dialect. */
export type ComparableLedgerRow = Omit<LedgerRow, 'applied_at' | 'applied_by' | 'execution_time_ms'>;

/** What a database holds after migrations: its schema and its ledger, comparable across databases of one dialect. */
export interface DatabaseState {
  readonly schema: SchemaSnapshot;
  readonly ledger: readonly ComparableLedgerRow[];
}

/** Reads a database's {@link DatabaseState} (compare schemas with `diffSchemas`, ledgers with equality). */
export async function databaseState(db: SpineDb): Promise<DatabaseState> {
  const ledger = (await readLedger(db)).map(({ applied_at: _at, applied_by: _by, execution_time_ms: _ms, ...row }) => ({ ...row, success: Number(row.success) }));
  return { schema: await db.dialect.introspector.snapshot(db.executor()), ledger };
}
