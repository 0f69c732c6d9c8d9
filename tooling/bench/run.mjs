// FINRA pipeline benchmark.
//
// What is measured: the wall time of the whole FINRA OTC transparency pipeline,
// `runPipeline(db, sampleFiles())` (read, parse, hash, ingest, NORMALIZED →
// AGGREGATED → ROLLING → SNAPSHOT, with every stage's quality checks), on the
// three bundled real sample files into a fresh, already-migrated SQLite file
// database. In the same process and run it measures a baseline: a bare
// better-sqlite3 insert of the same input rows (8 columns, already parsed) into
// one plain table, in one transaction, with one prepared statement, into a
// fresh file database with the same pragmas.
//
// Why a ratio: absolute times depend on the machine, the disk and its load, so
// they cannot be compared across machines or CI runs. The baseline runs on the
// same machine, in the same process, interleaved with the pipeline, so the
// noise hits both; pipeline rows/s ÷ baseline rows/s says how much the pipeline
// costs relative to the cheapest possible way of putting the same rows into
// SQLite, and that number travels. It is a report, not a pass/fail threshold:
// nothing here asserts on timing. The exit code is non-zero only when the
// pipeline does not report status 'ok' (or the setup fails).
//
// Usage: node run.mjs [--runs N] [--warmup N]   (defaults: 5 measured, 1 warm-up)

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import { finraMigrationSource, parseSource, runPipeline, sampleFiles } from '@market-spine/domains-finra';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULT_FILE = join(REPO_ROOT, 'bench-results', 'finra-pipeline.json');
/** Same busy timeout as `openSpineDb`'s default. */
const BUSY_TIMEOUT_MS = 5000;
/** Connection settings compared between the pipeline's and the baseline's database. */
const PRAGMAS = ['journal_mode', 'foreign_keys', 'busy_timeout', 'synchronous'];

function intOption(name, fallback, min) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} needs an integer >= ${min}`);
    process.exit(2);
  }
  return value;
}

const MEASURED = intOption('runs', 5, 1);
const WARMUP = intOption('warmup', 1, 0);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));
const fmtInt = (value) => Math.round(value).toLocaleString('en-US');

/** Runs one raw SQL statement through the SpineDb's own connection (Kysely compiled query). */
async function rawQuery(db, sql) {
  const result = await db.kysely.executeQuery({ sql, parameters: [], query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] }, queryId: { queryId: 'bench' } });
  return result.rows;
}

async function spinePragmas(db) {
  const out = {};
  for (const name of PRAGMAS) out[name] = Object.values((await rawQuery(db, `PRAGMA ${name}`))[0])[0];
  return out;
}

function rawPragmas(db) {
  return Object.fromEntries(PRAGMAS.map((name) => [name, db.pragma(name, { simple: true })]));
}

/** Row count of every table of a database file (read through a separate read-only connection). */
function tableCounts(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`).pluck().get()]));
  } finally {
    db.close();
  }
}

function sqliteVersion() {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get();
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- input

const files = sampleFiles();
if (files.length === 0) throw new Error('no bundled FINRA sample files found');
const parsed = files.map((path) => ({ path, source: parseSource(readFileSync(path), { locator: path }) }));
const INPUT_LINES = parsed.reduce((n, p) => n + p.source.lines, 0);
/** The baseline's rows: the parsed rows of the same files, 8 columns each, built once outside the timer. */
const BASELINE_COLUMNS = ['week_ending', 'tier', 'symbol', 'issue_name', 'market_participant_name', 'mpid', 'shares', 'trades'];
const baselineRows = parsed.flatMap(({ source }) =>
  source.rows.map((r) => [r.weekEnding, r.tier, r.symbol, r.issueName, r.marketParticipantName, r.mpid, r.shares, r.trades]),
);

// ---------------------------------------------------------------- one run of each

const root = mkdtempSync(join(tmpdir(), 'spine-bench-'));
let sequence = 0;

async function pipelineRun() {
  const dir = join(root, `pipeline-${++sequence}`);
  mkdirSync(dir);
  const path = join(dir, 'spine.db');
  const db = await openSpineDb(path);
  let closed = false;
  try {
    const migrated = await new Migrator(db, { sources: [coreMigrationSource(), finraMigrationSource()] }).migrate();
    if (migrated.status !== 'ok') throw new Error(`migration failed: ${JSON.stringify(migrated)}`);
    const pragmas = await spinePragmas(db);
    const before = tableCounts(path);

    const start = performance.now();
    const report = await runPipeline(db, files);
    const ms = performance.now() - start;

    await db.close();
    closed = true;
    const after = tableCounts(path);
    const written = Object.fromEntries(Object.keys(after).map((t) => [t, after[t] - (before[t] ?? 0)]).filter(([, n]) => n !== 0));
    return { ms, report, pragmas, written };
  } finally {
    if (!closed) await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function baselineRun() {
  const dir = join(root, `baseline-${++sequence}`);
  mkdirSync(dir);
  const db = new Database(join(dir, 'baseline.db'));
  try {
    // The same connection settings `openSpineDb` applies to a file database.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE baseline_rows (
      week_ending TEXT NOT NULL,
      tier TEXT NOT NULL,
      symbol TEXT NOT NULL,
      issue_name TEXT,
      market_participant_name TEXT,
      mpid TEXT NOT NULL,
      shares INTEGER NOT NULL,
      trades INTEGER NOT NULL
    )`);
    const pragmas = rawPragmas(db);

    const start = performance.now();
    const insert = db.prepare(`INSERT INTO baseline_rows (${BASELINE_COLUMNS.join(', ')}) VALUES (${BASELINE_COLUMNS.map(() => '?').join(', ')})`);
    const insertAll = db.transaction((rows) => {
      for (const row of rows) insert.run(row);
    });
    insertAll(baselineRows);
    const ms = performance.now() - start;

    const inserted = db.prepare('SELECT count(*) FROM baseline_rows').pluck().get();
    return { ms, pragmas, inserted };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

let exitCode = 0;
try {
  const pipelineSamples = [];
  const baselineSamples = [];
  let written = null;
  let pipelinePragmas = null;
  let baselinePragmas = null;
  let baselineInserted = null;
  let badReport = null;

  for (let i = 0; i < WARMUP + MEASURED; i++) {
    const measured = i >= WARMUP;
    // Alternate which goes first so neither always runs on a warmer (or busier) machine.
    const order = i % 2 === 0 ? ['pipeline', 'baseline'] : ['baseline', 'pipeline'];
    for (const which of order) {
      if (which === 'pipeline') {
        const run = await pipelineRun();
        if (run.report.status !== 'ok') {
          badReport = run.report;
          break;
        }
        pipelinePragmas = run.pragmas;
        written = run.written;
        if (measured) pipelineSamples.push(run.ms);
      } else {
        const run = baselineRun();
        baselinePragmas = run.pragmas;
        baselineInserted = run.inserted;
        if (measured) baselineSamples.push(run.ms);
      }
    }
    if (badReport) break;
  }

  if (badReport) {
    console.error(`FINRA pipeline report status is ${JSON.stringify(badReport.status)}, expected "ok"; no result written.`);
    console.error(JSON.stringify({ files: badReport.files, partitions: badReport.partitions }, null, 2));
    exitCode = 1;
  } else {
    const mismatched = PRAGMAS.filter((p) => String(pipelinePragmas[p]) !== String(baselinePragmas[p]));
    if (mismatched.length > 0) {
      throw new Error(`baseline and pipeline databases differ in ${mismatched.join(', ')}: ${JSON.stringify({ pipelinePragmas, baselinePragmas })}`);
    }

    const pipelineMedian = median(pipelineSamples);
    const baselineMedian = median(baselineSamples);
    const pipelineRps = INPUT_LINES / (pipelineMedian / 1000);
    const baselineRps = INPUT_LINES / (baselineMedian / 1000);
    const ratio = pipelineRps / baselineRps;
    const slowdown = 1 / ratio;
    const rowsWritten = Object.values(written).reduce((a, b) => a + b, 0);
    const writeAmplification = rowsWritten / baselineInserted;

    const result = {
      benchmark: 'finra-pipeline',
      timestamp: new Date().toISOString(),
      node: process.version,
      sqlite: sqliteVersion(),
      platform: `${platform()}-${arch()}`,
      cpu: cpus()[0]?.model ?? null,
      runs: { warmup: WARMUP, measured: MEASURED, order: 'alternating (pipeline first on even rounds, baseline first on odd rounds)' },
      input: {
        files: files.map((f) => basename(f)),
        dataLines: INPUT_LINES,
        parsedRows: baselineRows.length,
      },
      pragmas: pipelinePragmas,
      pipeline: {
        what: 'runPipeline(db, sampleFiles()) on a fresh migrated SQLite file database: ingest, NORMALIZED, AGGREGATED, ROLLING, SNAPSHOT, quality checks',
        medianMs: round(pipelineMedian, 3),
        rowsPerSecond: Math.round(pipelineRps),
        samplesMs: pipelineSamples.map((v) => round(v, 3)),
        rowsWritten,
        rowsWrittenByTable: written,
      },
      baseline: {
        what: 'better-sqlite3 prepared INSERT of the parsed rows (8 columns) into one plain table, one transaction, fresh SQLite file database, same pragmas',
        columns: BASELINE_COLUMNS,
        medianMs: round(baselineMedian, 3),
        rowsPerSecond: Math.round(baselineRps),
        samplesMs: baselineSamples.map((v) => round(v, 3)),
        rowsWritten: baselineInserted,
      },
      ratio: round(ratio, 4),
      ratioDefinition: 'pipeline rows/s ÷ baseline rows/s (input rows = data lines); 1 would mean as fast as a bare insert',
      pipelineSlowerBy: round(slowdown, 2),
      writeAmplification: round(writeAmplification, 2),
    };

    mkdirSync(dirname(RESULT_FILE), { recursive: true });
    writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);

    const pad = (s, n) => String(s).padStart(n);
    const lines = [
      '',
      'FINRA pipeline benchmark',
      `  input     ${files.length} bundled sample files, ${fmtInt(INPUT_LINES)} data lines (${fmtInt(baselineRows.length)} parsed rows)`,
      `  runs      ${WARMUP} warm-up + ${MEASURED} measured, pipeline and baseline alternating`,
      `  env       node ${process.version}, SQLite ${result.sqlite}, ${result.platform}; journal_mode=${pipelinePragmas.journal_mode} foreign_keys=${pipelinePragmas.foreign_keys} busy_timeout=${pipelinePragmas.busy_timeout} synchronous=${pipelinePragmas.synchronous}`,
      '',
      `                   median ms     input rows/s   rows written   samples ms`,
      `  pipeline      ${pad(pipelineMedian.toFixed(1), 12)}  ${pad(fmtInt(pipelineRps), 15)}  ${pad(fmtInt(rowsWritten), 13)}   ${pipelineSamples.map((v) => v.toFixed(1)).join(', ')}`,
      `  baseline      ${pad(baselineMedian.toFixed(1), 12)}  ${pad(fmtInt(baselineRps), 15)}  ${pad(fmtInt(baselineInserted), 13)}   ${baselineSamples.map((v) => v.toFixed(1)).join(', ')}`,
      '',
      `  ratio (pipeline rows/s ÷ baseline rows/s): ${ratio.toFixed(4)}`,
      `  pipeline is ${slowdown.toFixed(1)}× slower than a bare insert of the same rows`,
      `  pipeline writes ${writeAmplification.toFixed(1)}× the rows of the baseline (${fmtInt(rowsWritten)} vs ${fmtInt(baselineInserted)}):`,
      ...Object.entries(written)
        .sort((a, b) => b[1] - a[1])
        .map(([table, n]) => `    ${pad(fmtInt(n), 8)}  ${table}`),
      '',
      `  result: ${RESULT_FILE}`,
      '',
    ];
    console.log(lines.join('\n'));
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exitCode = exitCode;
