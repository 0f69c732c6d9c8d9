// Helpers shared by every benchmark: command-line options, alternating rounds,
// medians, the JSON result files, number formatting and the SQLite connection
// settings a baseline must share with the code it is compared with.

import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

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

/** Prints a summary block: a title line, the lines, and a blank line around it. */
export function printBlock(title, lines) {
  console.log(['', title, ...lines, ''].join('\n'));
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

/** @throws Error when the measured and baseline databases differ in a {@link PRAGMAS} setting */
export function assertSamePragmas(measured, baseline) {
  const mismatched = PRAGMAS.filter((p) => String(measured[p]) !== String(baseline[p]));
  if (mismatched.length > 0) {
    throw new Error(`baseline and measured databases differ in ${mismatched.join(', ')}: ${JSON.stringify({ measured, baseline })}`);
  }
}
