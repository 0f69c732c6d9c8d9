// Benchmarks of the migration engine (`Migrator` of @market-spine/core), each
// a time ratio against the irreducible SQLite and file work of the same job,
// measured in the same process and run, rounds alternating:
//
// - `migrate-to-head`: migrate() of an empty file database to head, vs. the same
//   SQL files run with better-sqlite3 `db.exec`, one transaction per file;
// - `noop-migrate`: migrate() on a database already at head (nothing pending),
//   vs. opening the file with better-sqlite3 and `SELECT * FROM _migrations`;
// - `status-1000`: status() on a ledger of 1,000 migrations, vs. reading the
//   1,000 files and `SELECT * FROM _migrations`.
//
// ratio = engine median ms ÷ baseline median ms: the engine's overhead factor
// (1 would mean it costs nothing beyond the baseline's work). Nothing asserts
// on timing; a benchmark fails only when the engine does not do the job (a
// result not `ok`, a wrong count, a schema that differs from the baseline's).

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator, openSpineDb } from '@market-spine/core';
import {
  BenchFailure,
  ORDER_NOTE,
  alternatingRounds,
  assertSamePragmas,
  finraSources,
  fmtInt,
  fmtMs,
  median,
  openBaselineDb,
  printBlock,
  rawPragmas,
  round,
  sampleStats,
  selectedMigrations,
  spinePragmas,
  statsHeader,
  statsLine,
  timeRatio,
  timed,
  writeResult,
} from './lib.mjs';

/** The head the CLI migrates a full install to: spine-core up to tier advanced, then the FINRA domain. */
const headOptions = () => ({ sources: finraSources(), tier: 'advanced' });
const HEAD_DESCRIPTION = '@market-spine/core (tier advanced) + @market-spine/domains-finra';

/** The engine's own tables, left out when its schema is compared with a baseline's. */
const ENGINE_TABLES = new Set(['_migrations', '_migration_log']);

/** Every schema object of a database file but the engine's tables, as `type name: sql`, sorted. */
function schemaOf(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all()
      .filter((o) => !ENGINE_TABLES.has(o.tbl_name))
      .map((o) => `${o.type} ${o.name}: ${o.sql}`);
  } finally {
    db.close();
  }
}

/**
 * Alternating rounds of the engine and its baseline (each `run()` returns at
 * least `ms`): the results, the ms samples of each and the engine ÷ baseline ratio.
 */
async function engineVsBaseline(rounds, engineRun, baselineRun) {
  const results = await alternatingRounds({
    ...rounds,
    contestants: [
      { name: 'engine', run: engineRun },
      { name: 'baseline', run: baselineRun },
    ],
  });
  const engineSamples = results.engine.map((r) => r.ms);
  const baselineSamples = results.baseline.map((r) => r.ms);
  return { results, engineSamples, baselineSamples, ratio: timeRatio(engineSamples, baselineSamples) };
}

/** Summary lines shared by the three benchmarks: the median/min/max table and the ratio. */
function ratioLines(engineSamples, baselineSamples, ratio) {
  return [
    statsHeader(),
    statsLine('engine', engineSamples),
    statsLine('baseline', baselineSamples),
    '',
    `  ratio (engine median ÷ baseline median): ${ratio.ratio.toFixed(2)}   (median of per-round ratios: ${ratio.pairedRatioMedian.toFixed(2)})`,
    `  the engine takes ${ratio.ratio.toFixed(1)}× the time of the baseline`,
  ];
}

function ratioResult(ratio) {
  return {
    ratio: round(ratio.ratio, 3),
    pairedRatioMedian: round(ratio.pairedRatioMedian, 3),
    ratioDefinition: 'engine median ms ÷ baseline median ms (the engine overhead factor; 1 would mean no cost beyond the baseline). pairedRatioMedian: median of the per-round engine ÷ baseline ratios',
  };
}

// ---------------------------------------------------------------- migrate-to-head

export const migrateToHead = {
  name: 'migrate-to-head',
  defaultRounds: { warmup: 1, measured: 11 },
  /** @throws BenchFailure when migrate() is not `ok`, applies another count, or builds another schema than the baseline */
  async run({ rounds, tmp }) {
    const options = headOptions();
    const migrations = await selectedMigrations(options);
    let sequence = 0;

    async function engineRun() {
      const dir = join(tmp, `head-engine-${++sequence}`);
      mkdirSync(dir);
      const path = join(dir, 'spine.db');
      try {
        const db = await openSpineDb(path);
        let outcome;
        let pragmas;
        try {
          pragmas = await spinePragmas(db);
          outcome = await timed(() => new Migrator(db, options).migrate());
        } finally {
          await db.close();
        }
        const result = outcome.value;
        if (result.status !== 'ok' || result.applied.length !== migrations.length) {
          throw new BenchFailure(`migrate() to head did not apply the ${migrations.length} migrations; no result written.`, result);
        }
        return { ms: outcome.ms, pragmas, schema: schemaOf(path) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    function baselineRun() {
      const dir = join(tmp, `head-baseline-${++sequence}`);
      mkdirSync(dir);
      const path = join(dir, 'baseline.db');
      try {
        const db = openBaselineDb(path);
        let ms;
        let pragmas;
        try {
          pragmas = rawPragmas(db);
          const apply = db.transaction((script) => db.exec(script));
          const start = performance.now();
          for (const m of migrations) apply.immediate(readFileSync(m.path, 'utf8'));
          ms = performance.now() - start;
        } finally {
          db.close();
        }
        return { ms, pragmas, schema: schemaOf(path) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const { results, engineSamples, baselineSamples, ratio } = await engineVsBaseline(rounds, engineRun, baselineRun);
    const lastEngine = results.engine.at(-1);
    const lastBaseline = results.baseline.at(-1);
    assertSamePragmas(lastEngine.pragmas, lastBaseline.pragmas);
    if (JSON.stringify(lastEngine.schema) !== JSON.stringify(lastBaseline.schema)) {
      const onlyEngine = lastEngine.schema.filter((o) => !lastBaseline.schema.includes(o));
      const onlyBaseline = lastBaseline.schema.filter((o) => !lastEngine.schema.includes(o));
      throw new BenchFailure('migrate() built another schema than the baseline ran; no result written.', { onlyEngine, onlyBaseline });
    }

    const resultFile = writeResult(this.name, {
      runs: { ...rounds, order: ORDER_NOTE },
      pragmas: lastEngine.pragmas,
      input: { sources: HEAD_DESCRIPTION, migrations: migrations.length, ids: migrations.map((m) => m.id), schemaObjects: lastEngine.schema.length },
      engine: {
        what: 'new Migrator(db, { sources: [core, domains-finra], tier: "advanced" }).migrate() on an empty SQLite file database opened with openSpineDb (open and close not timed): discovery, checksums, lock, ledger, statement splitting, one BEGIN IMMEDIATE transaction per migration with its ledger row',
        ...sampleStats(engineSamples),
      },
      baseline: {
        what: 'the same migration files read (readFileSync) and run with better-sqlite3 db.exec(script), one BEGIN IMMEDIATE transaction per file, on an empty SQLite file database with the same pragmas (open and close not timed); no ledger, no checksums, no parsing',
        ...sampleStats(baselineSamples),
      },
      ...ratioResult(ratio),
    });
    printBlock('migrate-to-head benchmark (migration engine)', [
      `  engine    Migrator.migrate() of an empty SQLite file to head: ${HEAD_DESCRIPTION}, ${migrations.length} migrations, ${lastEngine.schema.length} schema objects`,
      `  baseline  the same ${migrations.length} SQL files read and run with better-sqlite3 db.exec(), one BEGIN IMMEDIATE transaction per file (no ledger, checksums, parsing)`,
      `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured, alternating; journal_mode=${lastEngine.pragmas.journal_mode} synchronous=${lastEngine.pragmas.synchronous} on both`,
      '',
      ...ratioLines(engineSamples, baselineSamples, ratio),
      '',
      `  result: ${resultFile}`,
    ]);
  },
};

// ---------------------------------------------------------------- noop-migrate

export const noopMigrate = {
  name: 'noop-migrate',
  defaultRounds: { warmup: 5, measured: 50 },
  /** @throws BenchFailure when a migrate() at head is not `ok` with nothing applied, or the ledger has another count */
  async run({ rounds, tmp }) {
    const options = headOptions();
    const dir = join(tmp, 'noop');
    mkdirSync(dir);
    const path = join(dir, 'spine.db');
    const db = await openSpineDb(path);
    try {
      const first = await new Migrator(db, options).migrate();
      if (first.status !== 'ok') throw new BenchFailure('migrate() to head failed while setting up; no result written.', first);
      const ledgerRows = first.applied.length;

      const engineRun = async () => {
        const { ms, value } = await timed(() => new Migrator(db, options).migrate());
        if (value.status !== 'ok' || value.applied.length !== 0) {
          throw new BenchFailure('migrate() on a database at head was not an ok no-op; no result written.', value);
        }
        return { ms };
      };
      const baselineRun = async () => {
        const { ms, value: rows } = await timed(() => {
          const raw = new Database(path, { fileMustExist: true });
          try {
            return raw.prepare('SELECT * FROM _migrations').all();
          } finally {
            raw.close();
          }
        });
        if (rows.length !== ledgerRows) throw new Error(`baseline read ${rows.length} ledger rows, expected ${ledgerRows}`);
        return { ms };
      };

      const { engineSamples, baselineSamples, ratio } = await engineVsBaseline(rounds, engineRun, baselineRun);
      const resultFile = writeResult(this.name, {
        runs: { ...rounds, order: ORDER_NOTE },
        input: { sources: HEAD_DESCRIPTION, ledgerRows },
        engine: {
          what: 'new Migrator(db, { sources: [core, domains-finra], tier: "advanced" }).migrate() on an open SpineDb already at head: discovery, reading and checksumming the files, lock file, ledger DDL (IF NOT EXISTS), ledger read, status; nothing applied',
          ...sampleStats(engineSamples),
        },
        baseline: {
          what: 'new better-sqlite3 Database(path), SELECT * FROM _migrations (all rows), close',
          ...sampleStats(baselineSamples),
        },
        ...ratioResult(ratio),
      });
      printBlock('noop-migrate benchmark (migration engine)', [
        `  engine    Migrator.migrate() on a database already at head (${ledgerRows} migrations, nothing pending): discovery, checksums, lock, ledger read`,
        '  baseline  open the file with better-sqlite3, SELECT * FROM _migrations, close',
        `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured calls each, alternating; times are per call`,
        '',
        ...ratioLines(engineSamples, baselineSamples, ratio),
        '',
        `  result: ${resultFile}`,
      ]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

// ---------------------------------------------------------------- status-1000

const FIXTURE_MIGRATIONS = 1000;

/** A package of `count` one-table migrations in `<root>/migrations/basic/`, as a MigrationSource. */
function writeFixtureSource(root, count) {
  const directory = join(root, 'migrations');
  const basic = join(directory, 'basic');
  mkdirSync(basic, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    writeFileSync(join(basic, `${n}_create_t${n}.sql`), `CREATE TABLE t${n} (id INTEGER);\n`);
  }
  return { source: { packageName: '@market-spine/bench-fixture', name: 'fixture', version: '0.0.0', directory, dependsOn: [] }, basic };
}

export const status1000 = {
  name: 'status-1000',
  defaultRounds: { warmup: 3, measured: 21 },
  /** @throws BenchFailure when the fixture does not migrate, or status() does not report 1,000 applied migrations */
  async run({ rounds, tmp }) {
    const root = join(tmp, 'status-1000');
    const { source, basic } = writeFixtureSource(root, FIXTURE_MIGRATIONS);
    const options = { sources: [source] };
    const path = join(root, 'spine.db');
    const db = await openSpineDb(path);
    const raw = new Database(path, { fileMustExist: true });
    try {
      const setup = await timed(() => new Migrator(db, options).migrate());
      if (setup.value.status !== 'ok' || setup.value.applied.length !== FIXTURE_MIGRATIONS) {
        throw new BenchFailure(`migrate() of the ${FIXTURE_MIGRATIONS}-migration fixture failed; no result written.`, setup.value);
      }
      const ledgerQuery = raw.prepare('SELECT * FROM _migrations');

      const engineRun = async () => {
        const { ms, value: report } = await timed(() => new Migrator(db, options).status());
        if (report.entries.length !== FIXTURE_MIGRATIONS || report.counts.applied !== FIXTURE_MIGRATIONS) {
          throw new BenchFailure(`status() did not report ${FIXTURE_MIGRATIONS} applied migrations; no result written.`, report.counts);
        }
        return { ms };
      };
      const baselineRun = async () => {
        const { ms, value } = await timed(() => {
          let bytes = 0;
          const names = readdirSync(basic);
          for (const name of names) bytes += readFileSync(join(basic, name)).length;
          return { files: names.length, bytes, rows: ledgerQuery.all().length };
        });
        if (value.files !== FIXTURE_MIGRATIONS || value.rows !== FIXTURE_MIGRATIONS) throw new Error(`baseline read ${JSON.stringify(value)}`);
        return { ms, bytes: value.bytes };
      };

      const { results, engineSamples, baselineSamples, ratio } = await engineVsBaseline(rounds, engineRun, baselineRun);
      const statusMedian = median(engineSamples);
      const resultFile = writeResult(this.name, {
        runs: { ...rounds, order: ORDER_NOTE },
        input: {
          migrations: FIXTURE_MIGRATIONS,
          fixture: 'generated package: migrations/basic/NNNN_create_tNNNN.sql, each "CREATE TABLE tNNNN (id INTEGER);"',
          fixtureBytes: results.baseline.at(-1).bytes,
          setupMigrateMs: round(setup.ms, 1),
        },
        engine: {
          what: 'new Migrator(db, { sources: [fixture] }).status() on an open SpineDb holding the 1,000 migrations: discovery, reading and checksumming the files, ledger read, per-migration state',
          ...sampleStats(engineSamples),
          perMigrationUs: round((statusMedian / FIXTURE_MIGRATIONS) * 1000, 2),
        },
        baseline: {
          what: 'readdirSync of the tier folder, readFileSync of the 1,000 files (bytes only), prepared SELECT * FROM _migrations on an open better-sqlite3 connection: the irreducible I/O',
          ...sampleStats(baselineSamples),
        },
        absoluteStatusMs: round(statusMedian, 2),
        ...ratioResult(ratio),
      });
      printBlock('status-1000 benchmark (migration engine)', [
        `  engine    Migrator.status() on a ledger of ${fmtInt(FIXTURE_MIGRATIONS)} applied migrations (generated one-table fixture; applying it once took ${fmtInt(setup.ms)} ms)`,
        `  baseline  read the ${fmtInt(FIXTURE_MIGRATIONS)} files' bytes (readdir + readFileSync) and SELECT * FROM _migrations: the irreducible I/O`,
        `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured calls each, alternating; times are per call`,
        '',
        ...ratioLines(engineSamples, baselineSamples, ratio),
        `  absolute: status() of ${fmtInt(FIXTURE_MIGRATIONS)} migrations takes ${fmtMs(statusMedian)} ms (median), ${((statusMedian / FIXTURE_MIGRATIONS) * 1000).toFixed(1)} µs per migration`,
        '',
        `  result: ${resultFile}`,
      ]);
    } finally {
      raw.close();
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export const benchmarks = [migrateToHead, noopMigrate, status1000];
