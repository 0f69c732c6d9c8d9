// What the PostgreSQL benchmarks share: which server they use, whether it can
// be reached, and the `spine_bench_<random>` schemas they work in.
//
// The server is `SPINE_BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/test),
// a URL without Market Spine's `schema` parameter: every benchmark makes its
// own schemas on it, named spine_bench_<12 hex digits>, opens them with
// `openSpineDb({ target: '<url>?schema=<name>' })` and drops them at the end,
// also when it fails. When the server cannot be reached the PostgreSQL
// benchmarks print a line saying so and are skipped; the others still run.

import { randomBytes } from 'node:crypto';
import { openSpineDb } from '@market-spine/core';
import { printBlock, quoteIdent, rawQuery } from './lib.mjs';

export const PG_URL_ENV = 'SPINE_BENCH_PG_URL';
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Benchmark schemas are named `${SCHEMA_PREFIX}<12 hex digits>`. */
export const SCHEMA_PREFIX = 'spine_bench_';
/** How long the reachability probe waits for the server. */
const PROBE_TIMEOUT_MS = 10_000;

/** The server of the PostgreSQL benchmarks: `SPINE_BENCH_PG_URL`, else the local default. */
export const benchPgUrl = () => process.env[PG_URL_ENV]?.trim() || DEFAULT_PG_URL;

/** `url` without its password, for printing. */
export function displayPgUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(malformed URL)';
  }
}

/** The URL of schema `schema` on the server of `url` (Market Spine's `?schema=` parameter). */
export function schemaUrl(url, schema) {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

let probed = null;

/**
 * Whether the server of {@link benchPgUrl} can be reached (asked once per
 * process): `{ ok: true, url, display, version }` or `{ ok: false, url, display, reason }`.
 */
export function probePostgres() {
  probed ??= probe(benchPgUrl());
  return probed;
}

async function probe(url) {
  const display = displayPgUrl(url);
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, url, display, reason: `${PG_URL_ENV} is not a URL` };
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) return { ok: false, url, display, reason: `${PG_URL_ENV} must be a postgres:// URL` };
  if (parsed.searchParams.has('schema')) {
    return { ok: false, url, display, reason: `${PG_URL_ENV} must not carry a schema parameter (every benchmark makes its own ${SCHEMA_PREFIX}<random> schemas)` };
  }
  let timedOut = false;
  let timer;
  const opening = openSpineDb({ target: url });
  // A late connection after the timeout is closed as soon as it arrives.
  opening.then((db) => (timedOut ? db.close() : undefined)).catch(() => undefined);
  let db;
  try {
    db = await Promise.race([
      opening,
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`));
        }, PROBE_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    return { ok: false, url, display, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
  try {
    const [row] = await rawQuery(db, "SELECT current_setting('server_version') AS version");
    return { ok: true, url, display, version: String(row.version) };
  } catch (error) {
    return { ok: false, url, display, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await db.close();
  }
}

/** Prints the line of a PostgreSQL benchmark skipped because the server cannot be reached. */
export function printPostgresSkip(name, probeResult) {
  printBlock(`${name} benchmark`, [
    `  skipped: the PostgreSQL server ${probeResult.display} cannot be reached (${probeResult.reason.split('\n')[0]});`,
    `           set ${PG_URL_ENV} to a reachable server to run it. bench-results/${name}.json left as it was`,
  ]);
}

/**
 * The `spine_bench_<random>` schemas of one benchmark on the server at `url`:
 * {@link BenchSchemas.create} names and registers a schema, {@link BenchSchemas.open}
 * opens it with `openSpineDb` (which creates it), {@link BenchSchemas.drop}
 * drops one, {@link BenchSchemas.dropAll} drops every one still registered.
 * Use through {@link withBenchSchemas}, which drops them whatever happens.
 */
export class BenchSchemas {
  constructor(url) {
    this.url = url;
    this.live = new Set();
    this.created = [];
    this.admin = null;
  }

  /** A new schema name, registered for dropping before anything can create it. */
  create() {
    const schema = `${SCHEMA_PREFIX}${randomBytes(6).toString('hex')}`;
    this.live.add(schema);
    this.created.push(schema);
    return schema;
  }

  /** Opens `schema` (created if absent) as a SpineDb. */
  open(schema, options = {}) {
    return openSpineDb({ ...options, target: schemaUrl(this.url, schema) });
  }

  /** A SpineDb on the server without a schema of its own, for DROP SCHEMA and catalog reads. */
  async adminDb() {
    this.admin ??= await openSpineDb({ target: this.url });
    return this.admin;
  }

  /** Drops `schema` and everything in it. */
  async drop(schema) {
    const admin = await this.adminDb();
    await admin.executor().exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    this.live.delete(schema);
  }

  /**
   * Drops every registered schema, closes the admin connection and returns
   * the names of this benchmark's schemas still on the server (none, unless a
   * drop failed).
   */
  async dropAll() {
    const errors = [];
    let left = [];
    try {
      for (const schema of [...this.live]) {
        try {
          await this.drop(schema);
        } catch (error) {
          errors.push(`${schema}: ${error instanceof Error ? error.message : error}`);
        }
      }
      if (this.created.length > 0) {
        const admin = await this.adminDb();
        const rows = await rawQuery(admin, 'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname', [this.created]);
        left = rows.map((r) => r.nspname);
      }
    } finally {
      if (this.admin) await this.admin.close();
      this.admin = null;
    }
    if (errors.length > 0 || left.length > 0) {
      throw new Error(`could not drop the benchmark schemas ${left.join(', ')}: ${errors.join('; ')}`);
    }
    return left;
  }
}

/**
 * Runs `fn(schemas)` with a {@link BenchSchemas} on `url` and drops all its
 * schemas afterwards, also when `fn` throws (the error of `fn` wins; a failed
 * drop is then printed to stderr).
 */
export async function withBenchSchemas(url, fn) {
  const schemas = new BenchSchemas(url);
  let result;
  try {
    result = await fn(schemas);
  } catch (error) {
    try {
      await schemas.dropAll();
    } catch (dropError) {
      console.error(`  (cleanup) ${dropError instanceof Error ? dropError.message : dropError}`);
    }
    throw error;
  }
  await schemas.dropAll();
  return result;
}
