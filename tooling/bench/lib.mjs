// Helpers shared by every benchmark: command-line options, alternating rounds,
// medians, the JSON result files, number formatting, the SQLite connection
// settings a baseline must share with the code it is compared with, fixture
// files cached in the temp dir, and the bundled FINRA samples the synthetic
// histories are made of.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import { MPID_PATTERN, SYMBOL_PATTERN, finraMigrationSource, parseSource, sampleFiles } from '@market-spine/domains-finra';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_DIR = join(REPO_ROOT, 'bench-results');

// ---------------------------------------------------------------- options

/** Thrown for a bad command line; run.mjs prints it and exits with 2. */
export class UsageError extends Error {}

/**
 * The value of `--name N` as an integer >= min, or `fallback` when absent.
 *
 * @throws UsageError when the value is missing or not such an integer
 */
export function intOption(argv, name, fallback, min) {
  const index = argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} needs an integer >= ${min}`);
  return value;
}

/** True when the bare flag `--name` is on the command line. */
export const flagOption = (argv, name) => argv.includes(`--${name}`);

/** The comma-separated list after `--name`, or null when absent. */
export function listOption(argv, name) {
  const index = argv.indexOf(`--${name}`);
  if (index === -1) return null;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a comma-separated list`);
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

// ---------------------------------------------------------------- failures

/**
 * The code under test did not work (e.g. a migration or pipeline report is not
 * `ok`). run.mjs prints the message and details, writes no result for that
 * benchmark, goes on with the others and exits non-zero at the end.
 */
export class BenchFailure extends Error {
  constructor(message, details = undefined) {
    super(message);
    this.details = details;
  }
}

// ---------------------------------------------------------------- timing and statistics

export function median(values) {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds `fn` took (awaited), with its result. */
export async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/**
 * Runs `warmup + measured` rounds; each round runs every contestant once. The
 * order rotates from round to round (with two contestants: A first on even
 * rounds, B first on odd ones), so none always runs on a warmer or busier
 * machine. Each contestant's `run()` returns an object with at least `ms`
 * (the timed part only; setup and checks stay outside it).
 *
 * @param contestants `[{ name, run }]`, the measured code first, then its baseline(s)
 * @returns `{ [name]: [result of each measured round] }`
 */
export async function alternatingRounds({ warmup, measured, contestants }) {
  const results = Object.fromEntries(contestants.map((c) => [c.name, []]));
  for (let i = 0; i < warmup + measured; i++) {
    const shift = i % contestants.length;
    const order = [...contestants.slice(shift), ...contestants.slice(0, shift)];
    for (const contestant of order) {
      const result = await contestant.run();
      if (i >= warmup) results[contestant.name].push(result);
    }
  }
  return results;
}

export const ORDER_NOTE = 'alternating (the order of the contestants rotates every round)';

/** Median, min and max of the `ms` samples, and every sample (rounded), for a result file. */
export function sampleStats(samples) {
  return {
    medianMs: round(median(samples), 3),
    minMs: round(Math.min(...samples), 3),
    maxMs: round(Math.max(...samples), 3),
    samplesMs: samples.map((v) => round(v, 3)),
  };
}

/**
 * measured ÷ baseline for time samples of the same rounds: the ratio of the
 * medians (the headline) and the median of the per-round ratios (each round's
 * pair ran back to back, so it is less sensitive to drifting load).
 */
export function timeRatio(measuredSamples, baselineSamples) {
  const perRound = measuredSamples.map((m, i) => m / baselineSamples[i]);
  return { ratio: median(measuredSamples) / median(baselineSamples), pairedRatioMedian: median(perRound) };
}

// ---------------------------------------------------------------- result files

let cachedSqliteVersion = null;
export function sqliteVersion() {
  if (cachedSqliteVersion === null) {
    const db = new Database(':memory:');
    try {
      cachedSqliteVersion = db.prepare('SELECT sqlite_version()').pluck().get();
    } finally {
      db.close();
    }
  }
  return cachedSqliteVersion;
}

/** The fields every result file starts with. */
function environment() {
  return {
    timestamp: new Date().toISOString(),
    node: process.version,
    sqlite: sqliteVersion(),
    platform: `${platform()}-${arch()}`,
    cpu: cpus()[0]?.model ?? null,
  };
}

/** Writes `bench-results/<name>.json` (environment first, then `result`) and returns its path. */
export function writeResult(name, result) {
  const file = join(RESULTS_DIR, `${name}.json`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ benchmark: name, ...environment(), ...result }, null, 2)}\n`);
  return file;
}

// ---------------------------------------------------------------- formatting

export const round = (value, digits = 2) => Number(value.toFixed(digits));
export const fmtInt = (value) => Math.round(value).toLocaleString('en-US');
export const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);
/** Milliseconds with a precision that suits their size. */
export const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
export const fmtBytes = (bytes) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** One line of a "median / min / max" table. */
export function statsLine(label, samples, width = 22) {
  return `  ${padEnd(label, width)}${pad(fmtMs(median(samples)), 10)}${pad(fmtMs(Math.min(...samples)), 10)}${pad(fmtMs(Math.max(...samples)), 10)}`;
}

/** The header of a {@link statsLine} table. */
export const statsHeader = (width = 22) => `  ${padEnd('', width)}${pad('median ms', 10)}${pad('min', 10)}${pad('max', 10)}`;

/** Seconds with one decimal, e.g. `12.3 s`. */
export const fmtS = (ms) => `${(ms / 1000).toFixed(1)} s`;
/** Every number of `o` rounded to one decimal (build timings for a result file). */
export const roundAll = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v, 1) : v]));

/** Prints a summary block: a title line, the lines, and a blank line around it. */
export function printBlock(title, lines) {
  console.log(['', title, ...lines, ''].join('\n'));
}

/** Prints the block of a benchmark skipped for `reason`. */
export function printSkip(name, reason) {
  printBlock(`${name} benchmark`, [`  skipped: ${reason}; bench-results/${name}.json left as it was`]);
}

// ---------------------------------------------------------------- SQLite settings

/** Same busy timeout as `openSpineDb`'s default. */
const BUSY_TIMEOUT_MS = 5000;
/** Connection settings compared between a Spine database and its baseline's. */
const PRAGMAS = ['journal_mode', 'foreign_keys', 'busy_timeout', 'synchronous'];

/**
 * Opens a file database with better-sqlite3 the way `openSpineDb` opens a file
 * (busy_timeout, WAL, foreign keys, then a read of the schema), for a baseline.
 * The read matters: this build of SQLite applies its WAL default of
 * synchronous=NORMAL only once the file is first read in WAL mode.
 */
export function openBaselineDb(path) {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  return db;
}

/**
 * Runs one raw SQL statement through the SpineDb's own connection (Kysely
 * compiled query), with `parameters` bound to its placeholders (`?` on SQLite,
 * `$1`, `$2`, … on PostgreSQL). Returns the rows.
 */
export async function rawQuery(db, sql, parameters = []) {
  const result = await db.kysely.executeQuery({ sql, parameters, query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] }, queryId: { queryId: 'bench' } });
  return result.rows;
}

/** {@link PRAGMAS} as read through a SpineDb's connection. */
export async function spinePragmas(db) {
  const out = {};
  for (const name of PRAGMAS) out[name] = Object.values((await rawQuery(db, `PRAGMA ${name}`))[0])[0];
  return out;
}

/** {@link PRAGMAS} as read through a better-sqlite3 connection. */
export function rawPragmas(db) {
  return Object.fromEntries(PRAGMAS.map((name) => [name, db.pragma(name, { simple: true })]));
}

/** A double-quoted SQL identifier. */
export const quoteIdent = (name) => `"${String(name).replaceAll('"', '""')}"`;

/** Row count of `tables` (default: every table) of a database file, read through a separate read-only connection. */
export function tableCounts(path, tables = null) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const names = tables ?? db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    return Object.fromEntries(names.map((t) => [t, db.prepare(`SELECT count(*) FROM ${quoteIdent(t)}`).pluck().get()]));
  } finally {
    db.close();
  }
}

/** Rows each table gained from the counts `before` to `after` (tables without a change left out). */
export const rowsAdded = (before, after) => Object.fromEntries(Object.keys(after).map((t) => [t, after[t] - (before[t] ?? 0)]).filter(([, n]) => n !== 0));

/** EXPLAIN QUERY PLAN rows as an indented tree. */
export function sqlitePlanLines(rows) {
  const depth = new Map([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}

/** @throws Error when the measured and baseline databases differ in a {@link PRAGMAS} setting */
export function assertSamePragmas(measured, baseline) {
  const mismatched = PRAGMAS.filter((p) => String(measured[p]) !== String(baseline[p]));
  if (mismatched.length > 0) {
    throw new Error(`baseline and measured databases differ in ${mismatched.join(', ')}: ${JSON.stringify({ measured, baseline })}`);
  }
}

// ---------------------------------------------------------------- fixture files cached in the temp dir

/** Bytes free for an unprivileged user on the file system of `dir`. */
export function freeBytes(dir) {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
}

/** Removes a database file with its WAL, shared-memory, journal and migration-lock files. */
export function removeDbFiles(path) {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.migrate-lock']) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * A fixture database cached in the temp dir as `<prefix><key>.db`, with its
 * build record beside it in `<prefix><key>.db.json`. Files of other keys under
 * `prefix` are stale (an older generator, SQLite or input) and removed. Reused
 * when both files are there and the record carries `key`; else built by
 * `build(path)`, which returns the record's fields (it also gets `key` and
 * `builtAt`), unless the temp dir has less than `minFreeBytes` free: then
 * `noRoom(freeBytes)` is called and the result is null.
 *
 * @returns `{ path, key, meta, reused }`, or null when there is no room to build
 */
export async function cachedFixture({ prefix, key, minFreeBytes, build, noRoom }) {
  const dir = tmpdir();
  const path = join(dir, `${prefix}${key}.db`);
  const metaPath = `${path}.json`;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && !name.startsWith(`${prefix}${key}.db`) && statSync(join(dir, name)).isFile()) rmSync(join(dir, name), { force: true });
  }
  let meta = null;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (meta.key !== key) meta = null;
    } catch {
      meta = null;
    }
  }
  if (meta !== null) return { path, key, meta, reused: true };
  removeDbFiles(path);
  rmSync(metaPath, { force: true });
  const free = freeBytes(dir);
  if (free < minFreeBytes) {
    noRoom(free);
    return null;
  }
  const fields = await build(path);
  meta = { key, builtAt: new Date().toISOString(), ...fields };
  writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return { path, key, meta, reused: false };
}

// ---------------------------------------------------------------- migrations and the FINRA samples

/** The migration sources of a FINRA install: spine-core, then the FINRA domain. */
export const finraSources = () => [coreMigrationSource(), finraMigrationSource()];

/** The migrations the engine selects for `options` on SQLite, in apply order. */
export async function selectedMigrations(options) {
  const db = await openSpineDb(':memory:');
  try {
    return new Migrator(db, options).selected();
  } finally {
    await db.close();
  }
}

/** The real rows of the three samples (valid symbol and MPID, shares >= 1, first of duplicate (symbol, MPID)), by sample. */
export function loadSamples() {
  const files = sampleFiles();
  if (files.length !== 3) throw new Error(`expected 3 bundled sample files, found ${files.length}`);
  return files.map((path, s) => {
    const parsed = parseSource(readFileSync(path), { locator: path });
    const seen = new Set();
    const rows = [];
    for (const r of parsed.rows) {
      const key = `${r.symbol}|${r.mpid}`;
      if (!SYMBOL_PATTERN.test(r.symbol) || !MPID_PATTERN.test(r.mpid) || r.shares < 1 || r.trades < 0 || seen.has(key)) continue;
      seen.add(key);
      rows.push({ s, i: rows.length, symbol: r.symbol, mpid: r.mpid, issueName: r.issueName, venueName: r.marketParticipantName, shares: r.shares, trades: r.trades });
    }
    const weekEnding = parsed.rows[0].weekEnding;
    return { path, sha256: parsed.sha256, weekEnding, rows };
  });
}

/** Rows of each symbol over the samples (`popularity`), and the symbols of each row count (`levels`). */
export function popularityLevels(samples) {
  const popularity = new Map();
  for (const sample of samples) for (const r of sample.rows) popularity.set(r.symbol, (popularity.get(r.symbol) ?? 0) + 1);
  const levels = new Map();
  for (const [symbol, n] of popularity) levels.set(n, [...(levels.get(n) ?? []), symbol]);
  return { popularity, levels };
}

/**
 * The cache key of a SQLite history generated from the samples: the
 * generator version, the SQLite version, the samples' digests and the
 * FINRA install's migration files (path under migrations/ and contents).
 */
export async function finraHistoryKey(generatorVersion, samples) {
  const hash = createHash('sha256').update(generatorVersion).update(sqliteVersion());
  for (const sample of samples) hash.update(sample.sha256);
  for (const m of await selectedMigrations({ sources: finraSources() })) hash.update(m.path.slice(m.path.lastIndexOf('/migrations/'))).update(readFileSync(m.path));
  return hash.digest('hex').slice(0, 16);
}

const DAY_MS = 86_400_000;
/** The ISO date `days` days after `isoDate` (UTC). */
export const addDays = (isoDate, days) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
