// `finra-pipeline-postgres`: the FINRA OTC transparency pipeline on PostgreSQL
// against the same pipeline on SQLite, in the same process and run.
//
// What is measured: the wall time of `runPipeline(db, sampleFiles())` (read,
// parse, hash, ingest, NORMALIZED → AGGREGATED → ROLLING → SNAPSHOT, with every
// stage's quality checks) on the three bundled real sample files, into a fresh
// PostgreSQL schema `spine_bench_<random>` of the server in SPINE_BENCH_PG_URL
// (bulk inserts are COPY … FROM STDIN (FORMAT csv), then ANALYZE for loads of
// at least 1,000 rows), and, as the baseline, into a fresh SQLite file database
// in a temp dir. Every round opens and migrates both databases (core + FINRA)
// before the timer starts; the schema is dropped and the file deleted after it.
//
// ratio = SQLite median ms ÷ PostgreSQL median ms: above 1 PostgreSQL runs the
// pipeline faster than SQLite, below 1 slower. Nothing asserts on timing; it
// fails only when a pipeline report is not `ok`, or the two databases end up
// with different row counts in finra_otc_transparency_symbol_summary_latest.

import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Migrator, openSpineDb } from '@market-spine/core';
import { runPipeline, sampleFiles } from '@market-spine/domains-finra';
import {
  BenchFailure,
  ORDER_NOTE,
  alternatingRounds,
  finraSources,
  fmtInt,
  median,
  pad,
  printBlock,
  quoteIdent,
  rawQuery,
  round,
  rowsAdded,
  sampleStats,
  sqliteVersion,
  statsHeader,
  statsLine,
  timeRatio,
  timed,
  writeResult,
} from './lib.mjs';
import { printPostgresSkip, probePostgres, withBenchSchemas } from './postgres.mjs';

const NAME = 'finra-pipeline-postgres';
const SUMMARY_LATEST = 'finra_otc_transparency_symbol_summary_latest';

/** Row count of every base table of the database (SQLite: sqlite_schema; PostgreSQL: the current schema). */
async function tableCounts(db) {
  const tables =
    db.dialectName === 'postgres'
      ? (await rawQuery(db, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")).map((r) => r.name)
      : (await rawQuery(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r) => r.name);
  const out = {};
  for (const table of tables) out[table] = Number((await rawQuery(db, `SELECT count(*) AS n FROM ${quoteIdent(table)}`))[0].n);
  return out;
}

/** One pipeline run on an open, empty database: migrate (untimed), runPipeline (timed), checks and counts (untimed). */
async function migrateAndRun(db, files, label) {
  const migrated = await new Migrator(db, { sources: finraSources() }).migrate();
  if (migrated.status !== 'ok') throw new Error(`${label}: migration failed: ${JSON.stringify(migrated)}`);
  const before = await tableCounts(db);
  const { ms, value: report } = await timed(() => runPipeline(db, files));
  if (report.status !== 'ok') {
    throw new BenchFailure(`FINRA pipeline report status on ${label} is ${JSON.stringify(report.status)}, expected "ok"; no result written.`, {
      files: report.files,
      partitions: report.partitions,
    });
  }
  const written = rowsAdded(before, await tableCounts(db));
  const summaryLatest = Number((await rawQuery(db, `SELECT count(*) AS n FROM ${SUMMARY_LATEST}`))[0].n);
  return { ms, written, summaryLatest };
}

async function run({ rounds, tmp }) {
  const server = await probePostgres();
  if (!server.ok) {
    printPostgresSkip(NAME, server);
    return;
  }
  const files = sampleFiles();
  if (files.length === 0) throw new Error('no bundled FINRA sample files found');

  await withBenchSchemas(server.url, async (schemas) => {
    let sequence = 0;

    async function postgresRun() {
      const schema = schemas.create();
      const db = await schemas.open(schema);
      try {
        return { ...(await migrateAndRun(db, files, `PostgreSQL (schema ${schema})`)), schema };
      } finally {
        await db.close();
        await schemas.drop(schema);
      }
    }

    async function sqliteRun() {
      const dir = join(tmp, `sqlite-${++sequence}`);
      mkdirSync(dir);
      const db = await openSpineDb(join(dir, 'spine.db'));
      try {
        return await migrateAndRun(db, files, 'SQLite');
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const results = await alternatingRounds({
      ...rounds,
      contestants: [
        { name: 'postgres', run: postgresRun },
        { name: 'sqlite', run: sqliteRun },
      ],
    });

    const pg = results.postgres;
    const lite = results.sqlite;
    const summaryCounts = { postgres: [...new Set(pg.map((r) => r.summaryLatest))], sqlite: [...new Set(lite.map((r) => r.summaryLatest))] };
    if (summaryCounts.postgres.length !== 1 || summaryCounts.sqlite.length !== 1 || summaryCounts.postgres[0] !== summaryCounts.sqlite[0] || summaryCounts.sqlite[0] === 0) {
      throw new BenchFailure(`${SUMMARY_LATEST} has different row counts on PostgreSQL and SQLite; no result written.`, summaryCounts);
    }
    const summaryLatest = summaryCounts.sqlite[0];
    const pgWritten = pg.at(-1).written;
    const liteWritten = lite.at(-1).written;
    const tables = [...new Set([...Object.keys(pgWritten), ...Object.keys(liteWritten)])].sort();
    const writtenDiffs = tables.filter((t) => (pgWritten[t] ?? 0) !== (liteWritten[t] ?? 0)).map((t) => ({ table: t, postgres: pgWritten[t] ?? 0, sqlite: liteWritten[t] ?? 0 }));

    const pgSamples = pg.map((r) => r.ms);
    const liteSamples = lite.map((r) => r.ms);
    const ratio = timeRatio(liteSamples, pgSamples);
    const resultFile = writeResult(NAME, {
      runs: { ...rounds, order: ORDER_NOTE },
      postgresServer: { url: server.display, version: server.version },
      input: { files: files.map((f) => basename(f)) },
      postgres: {
        what: 'runPipeline(db, sampleFiles()) on a fresh, migrated PostgreSQL schema spine_bench_<random> opened with openSpineDb (COPY bulk inserts, ANALYZE after loads of >= 1000 rows); migration, counts and DROP SCHEMA not timed',
        ...sampleStats(pgSamples),
        rowsWrittenByTable: pgWritten,
        schemas: pg.map((r) => r.schema),
      },
      sqlite: {
        what: 'runPipeline(db, sampleFiles()) on a fresh, migrated SQLite file database in a temp dir opened with openSpineDb; migration and counts not timed',
        ...sampleStats(liteSamples),
        rowsWrittenByTable: liteWritten,
      },
      checks: { reportsOk: true, [`${SUMMARY_LATEST}Rows`]: summaryLatest, rowsWrittenDifferences: writtenDiffs },
      ratio: round(ratio.ratio, 3),
      pairedRatioMedian: round(ratio.pairedRatioMedian, 3),
      ratioDefinition: 'SQLite median ms ÷ PostgreSQL median ms (above 1: PostgreSQL is faster). pairedRatioMedian: median of the per-round SQLite ÷ PostgreSQL ratios',
    });
    const pgMedian = median(pgSamples);
    const liteMedian = median(liteSamples);
    printBlock(`${NAME} benchmark`, [
      `  measured  runPipeline on the ${files.length} bundled samples into a fresh migrated PostgreSQL schema (${server.display}, PostgreSQL ${server.version})`,
      `  baseline  the same into a fresh migrated SQLite file (SQLite ${sqliteVersion()}); migration outside the timer on both`,
      `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured, alternating`,
      '',
      statsHeader(),
      statsLine('postgres', pgSamples),
      statsLine('sqlite', liteSamples),
      '',
      `  ratio (SQLite median ÷ PostgreSQL median): ${ratio.ratio.toFixed(2)}   (median of per-round ratios: ${ratio.pairedRatioMedian.toFixed(2)})`,
      `  PostgreSQL takes ${(pgMedian / liteMedian).toFixed(2)}× the time of SQLite (${pgMedian <= liteMedian ? 'faster' : 'slower'})`,
      `  checks    both reports ok; ${SUMMARY_LATEST}: ${fmtInt(summaryLatest)} rows on both`,
      writtenDiffs.length === 0
        ? `            rows written per table equal on both (${fmtInt(Object.values(liteWritten).reduce((a, b) => a + b, 0))} rows in ${Object.keys(liteWritten).length} tables)`
        : `            rows written differ in ${writtenDiffs.map((d) => `${d.table} (pg ${d.postgres}, sqlite ${d.sqlite})`).join(', ')}`,
      ...tables.map((t) => `    ${pad(fmtInt(pgWritten[t] ?? 0), 8)} ${pad(fmtInt(liteWritten[t] ?? 0), 8)}  ${t}`),
      `    (postgres, sqlite: rows written by one run)`,
      '',
      `  result: ${resultFile}`,
    ]);
  });
}

export const finraPipelinePostgres = { name: NAME, defaultRounds: { warmup: 1, measured: 5 }, run };
