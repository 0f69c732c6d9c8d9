// `finra-pipeline`: the FINRA OTC transparency pipeline against a bare insert.
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
// nothing here asserts on timing. It fails only when the pipeline does not
// report status 'ok' (or the setup fails).

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Migrator, openSpineDb } from '@market-spine/core';
import { parseSource, runPipeline, sampleFiles } from '@market-spine/domains-finra';
import {
  BenchFailure,
  alternatingRounds,
  assertSamePragmas,
  finraSources,
  fmtInt,
  median,
  openBaselineDb,
  pad,
  rawPragmas,
  round,
  rowsAdded,
  spinePragmas,
  sqliteVersion,
  tableCounts,
  writeResult,
} from './lib.mjs';


/** The baseline's columns: 8 of the parsed row's fields. */
const BASELINE_COLUMNS = ['week_ending', 'tier', 'symbol', 'issue_name', 'market_participant_name', 'mpid', 'shares', 'trades'];

/**
 * Runs the benchmark, prints its summary and writes its result file.
 *
 * @param options `rounds` ({ warmup, measured }), `tmp` (a scratch directory of this run)
 * @throws BenchFailure when the pipeline report is not `ok`
 */
async function run({ rounds, tmp }) {
  const { warmup, measured } = rounds;

  // ------------------------------------------------------------ input

  const files = sampleFiles();
  if (files.length === 0) throw new Error('no bundled FINRA sample files found');
  const parsed = files.map((path) => ({ path, source: parseSource(readFileSync(path), { locator: path }) }));
  const inputLines = parsed.reduce((n, p) => n + p.source.lines, 0);
  /** The baseline's rows: the parsed rows of the same files, 8 columns each, built once outside the timer. */
  const baselineRows = parsed.flatMap(({ source }) =>
    source.rows.map((r) => [r.weekEnding, r.tier, r.symbol, r.issueName, r.marketParticipantName, r.mpid, r.shares, r.trades]),
  );

  // ------------------------------------------------------------ one run of each

  let sequence = 0;

  async function pipelineRun() {
    const dir = join(tmp, `pipeline-${++sequence}`);
    mkdirSync(dir);
    const path = join(dir, 'spine.db');
    const db = await openSpineDb(path);
    let closed = false;
    try {
      const migrated = await new Migrator(db, { sources: finraSources() }).migrate();
      if (migrated.status !== 'ok') throw new Error(`migration failed: ${JSON.stringify(migrated)}`);
      const pragmas = await spinePragmas(db);
      const before = tableCounts(path);

      const start = performance.now();
      const report = await runPipeline(db, files);
      const ms = performance.now() - start;

      if (report.status !== 'ok') {
        throw new BenchFailure(`FINRA pipeline report status is ${JSON.stringify(report.status)}, expected "ok"; no result written.`, {
          files: report.files,
          partitions: report.partitions,
        });
      }
      await db.close();
      closed = true;
      return { ms, pragmas, written: rowsAdded(before, tableCounts(path)) };
    } finally {
      if (!closed) await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function baselineRun() {
    const dir = join(tmp, `baseline-${++sequence}`);
    mkdirSync(dir);
    const db = openBaselineDb(join(dir, 'baseline.db'));
    try {
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

  // ------------------------------------------------------------ rounds and result

  const results = await alternatingRounds({
    warmup,
    measured,
    contestants: [
      { name: 'pipeline', run: pipelineRun },
      { name: 'baseline', run: baselineRun },
    ],
  });
  const lastPipeline = results.pipeline.at(-1);
  const lastBaseline = results.baseline.at(-1);
  const pipelinePragmas = lastPipeline.pragmas;
  assertSamePragmas(pipelinePragmas, lastBaseline.pragmas);

  const pipelineSamples = results.pipeline.map((r) => r.ms);
  const baselineSamples = results.baseline.map((r) => r.ms);
  const written = lastPipeline.written;
  const baselineInserted = lastBaseline.inserted;
  const pipelineMedian = median(pipelineSamples);
  const baselineMedian = median(baselineSamples);
  const pipelineRps = inputLines / (pipelineMedian / 1000);
  const baselineRps = inputLines / (baselineMedian / 1000);
  const ratio = pipelineRps / baselineRps;
  const slowdown = 1 / ratio;
  const rowsWritten = Object.values(written).reduce((a, b) => a + b, 0);
  const writeAmplification = rowsWritten / baselineInserted;

  const resultFile = writeResult(finraPipeline.name, {
    runs: { warmup, measured, order: 'alternating (pipeline first on even rounds, baseline first on odd rounds)' },
    input: {
      files: files.map((f) => basename(f)),
      dataLines: inputLines,
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
  });

  const lines = [
    '',
    'FINRA pipeline benchmark',
    `  input     ${files.length} bundled sample files, ${fmtInt(inputLines)} data lines (${fmtInt(baselineRows.length)} parsed rows)`,
    `  runs      ${warmup} warm-up + ${measured} measured, pipeline and baseline alternating`,
    `  env       node ${process.version}, SQLite ${sqliteVersion()}, ${platform()}-${arch()}; journal_mode=${pipelinePragmas.journal_mode} foreign_keys=${pipelinePragmas.foreign_keys} busy_timeout=${pipelinePragmas.busy_timeout} synchronous=${pipelinePragmas.synchronous}`,
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
    `  result: ${resultFile}`,
    '',
  ];
  console.log(lines.join('\n'));
}

export const finraPipeline = { name: 'finra-pipeline', defaultRounds: { warmup: 1, measured: 5 }, run };
