// Runs the benchmarks of Market Spine in sequence. Each one measures the code
// under test against a baseline run in the same process, rounds alternating,
// reports medians and a ratio, prints a summary block and writes
// bench-results/<name>.json at the repo root (see README.md):
//
//   finra-pipeline   runPipeline on the bundled FINRA samples vs. a bare insert   (finra-pipeline.mjs)
//   migrate-to-head  Migrator.migrate() of an empty database vs. db.exec of the files (migrations.mjs)
//   noop-migrate     migrate() at head vs. open + SELECT * FROM _migrations        (migrations.mjs)
//   status-1000      status() of 1,000 migrations vs. reading the files + ledger  (migrations.mjs)
//   backup-1gb       databaseBackups().create() of a >1 GiB file vs. cp           (backup.mjs)
//   finra-pipeline-postgres  runPipeline on PostgreSQL vs. on SQLite            (finra-pipeline-postgres.mjs)
//   copy-vs-psql     insertRows (COPY) of a sample file on PostgreSQL vs. psql \copy (copy-vs-psql.mjs)
//   latest-lookup-5m a symbol's history from the *_latest views of 5M rows vs. the base
//                    tables, SQLite and PostgreSQL                               (latest-lookup-5m.mjs)
//   risk-indexes     the risk state database's queries and writes with the v2 analytics
//                    indexes vs. the v1 schema without them, 1.6M rows           (risk-indexes.mjs)
//   archive-1m       spine ops archive of old captures holding 1M+ rows vs. a plain
//                    DELETE of the same rows + VACUUM, SQLite                    (archive-1m.mjs)
//   asof-lookup-5m   a symbol's venue rows as of an instant (calcRowsAsOf), 5M rows with three
//                    captures a week, by index vs. the same query NOT INDEXED    (asof-lookup-5m.mjs)
//
// The PostgreSQL benchmarks use the server in SPINE_BENCH_PG_URL (default
// postgres://postgres@127.0.0.1:5432/test), each in its own spine_bench_<random>
// schemas, dropped at the end; they are skipped, with a line saying so, when the
// server cannot be reached (postgres.mjs).
//
// Nothing asserts on timing. The exit code is 1 when a benchmark's code under
// test does not work (or its setup fails; the others still run), 2 for a bad
// command line.
//
// Usage: node run.mjs [--runs N] [--warmup N] [--backup-runs N] [--quick] [--only NAME[,NAME…]]
//   --runs, --warmup  measured / warm-up rounds of every benchmark but backup-1gb (defaults per benchmark)
//   --backup-runs     measured rounds of backup-1gb (default 3)
//   --quick           skip backup-1gb, latest-lookup-5m, risk-indexes, asof-lookup-5m and archive-1m
//   --only            run only the named benchmarks

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asofLookup5m } from './asof-lookup-5m.mjs';
import { archive1m } from './archive-1m.mjs';
import { backup1gb } from './backup.mjs';
import { copyVsPsql } from './copy-vs-psql.mjs';
import { finraPipeline } from './finra-pipeline.mjs';
import { finraPipelinePostgres } from './finra-pipeline-postgres.mjs';
import { latestLookup5m } from './latest-lookup-5m.mjs';
import { BenchFailure, UsageError, flagOption, intOption, listOption } from './lib.mjs';
import { benchmarks as migrationBenchmarks } from './migrations.mjs';
import { riskIndexes } from './risk-indexes.mjs';

const BENCHMARKS = [finraPipeline, ...migrationBenchmarks, backup1gb, finraPipelinePostgres, copyVsPsql, latestLookup5m, riskIndexes, asofLookup5m, archive1m];
const VALUE_OPTIONS = ['--runs', '--warmup', '--backup-runs', '--only'];
const FLAG_OPTIONS = ['--quick'];

function parseArgs(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_OPTIONS.includes(argv[i])) i++;
    else if (!FLAG_OPTIONS.includes(argv[i])) throw new UsageError(`unknown argument ${argv[i]}`);
  }
  const only = listOption(argv, 'only');
  const unknown = (only ?? []).filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  return {
    runs: intOption(argv, 'runs', null, 1),
    warmup: intOption(argv, 'warmup', null, 0),
    backupRuns: intOption(argv, 'backup-runs', backup1gb.defaultRounds.measured, 1),
    quick: flagOption(argv, 'quick'),
    only: only === null ? null : new Set(only),
  };
}

function roundsFor(benchmark, options) {
  if (benchmark === backup1gb) return { warmup: benchmark.defaultRounds.warmup, measured: options.backupRuns };
  return { warmup: options.warmup ?? benchmark.defaultRounds.warmup, measured: options.runs ?? benchmark.defaultRounds.measured };
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}

let exitCode = 0;
for (const benchmark of BENCHMARKS) {
  if (options.only && !options.only.has(benchmark.name)) continue;
  const tmp = mkdtempSync(join(tmpdir(), `spine-bench-${benchmark.name}-`));
  try {
    await benchmark.run({ rounds: roundsFor(benchmark, options), tmp, quick: options.quick });
  } catch (error) {
    exitCode = 1;
    if (error instanceof BenchFailure) {
      console.error(`\n${benchmark.name}: ${error.message}`);
      if (error.details !== undefined) console.error(JSON.stringify(error.details, null, 2));
    } else {
      console.error(`\n${benchmark.name} failed:`);
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
process.exitCode = exitCode;
