// `copy-vs-psql`: a bulk load through Market Spine's `SqlExecutor.insertRows`
// on PostgreSQL against psql's `\copy` of the same file, in the same process
// and run.
//
// What is measured: loading the rows of one bundled FINRA sample file (the
// first, finra_otc_weekly_otc_20251215.csv: 5,328 data lines, 8 pipe-delimited
// columns with a header) into a plain table of the file's columns (TEXT and
// BIGINT) in a schema spine_bench_<random> of the server in SPINE_BENCH_PG_URL:
//
// - measured: `db.transaction((tx) => tx.insertRows(table, columns, rows))` on
//   an open SpineDb: BEGIN, the rows written as CSV text in JS, COPY … FROM
//   STDIN (FORMAT csv), ANALYZE of the table (insertRows does that for loads of
//   >= 1,000 rows), COMMIT. The rows are parsed from the file in JS once, before
//   any timing (split on '|', counts as numbers, empty fields as NULL, as
//   COPY reads them), so only the load is timed;
// - baseline: `psql -c "\copy <table> (<columns>) FROM '<file>' WITH (FORMAT csv,
//   HEADER, DELIMITER '|')"`, a spawned psql: process start, connection, the
//   file read by psql and sent with COPY FROM STDIN, exit;
// - also timed, for reading the two: `psql -c 'SELECT 1'` (psql's start,
//   connection and exit alone), and an ANALYZE of the table after psql's load
//   (outside psql's time): psql does not analyze, insertRows does.
//
// The table is truncated before every load and checked after it (outside the
// timer): both must load the file's data lines with the same sum of shares.
// ratio = insertRows median ms ÷ psql median ms. Nothing asserts on timing.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sampleFiles } from '@market-spine/domains-finra';
import {
  BenchFailure,
  ORDER_NOTE,
  alternatingRounds,
  fmtInt,
  fmtMs,
  median,
  printBlock,
  printSkip,
  quoteIdent,
  rawQuery,
  round,
  sampleStats,
  statsHeader,
  statsLine,
  timeRatio,
  writeResult,
} from './lib.mjs';
import { printPostgresSkip, probePostgres, withBenchSchemas } from './postgres.mjs';

const NAME = 'copy-vs-psql';
const TABLE = 'finra_sample_rows';
/** The file's columns (tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate). */
const COLUMNS = [
  ['tier_description', 'TEXT'],
  ['issue_symbol_identifier', 'TEXT'],
  ['issue_name', 'TEXT'],
  ['market_participant_name', 'TEXT'],
  ['mpid', 'TEXT'],
  ['total_weekly_share_quantity', 'BIGINT'],
  ['total_weekly_trade_count', 'BIGINT'],
  ['last_update_date', 'TEXT'],
];
const COLUMN_NAMES = COLUMNS.map(([name]) => name);
const NUMERIC = new Set(COLUMNS.flatMap(([name, type], i) => (type === 'BIGINT' ? [i] : [])));
const SHARES = COLUMN_NAMES.indexOf('total_weekly_share_quantity');
const HEADER = 'tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate';

/** The data rows of a pipe-delimited sample file, as COPY … (FORMAT csv, HEADER, DELIMITER '|') reads them. */
function parseFile(path) {
  const text = readFileSync(path, 'utf8');
  if (text.includes('"')) throw new Error(`${path} holds a double quote; COPY (FORMAT csv) would read it as quoting`);
  const lines = text.split('\n');
  if (lines[0] !== HEADER) throw new Error(`${path}: unexpected header ${JSON.stringify(lines[0])}`);
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(1).map((line, i) => {
    const fields = line.split('|');
    if (fields.length !== COLUMNS.length) throw new Error(`${path}:${i + 2}: ${fields.length} fields, expected ${COLUMNS.length}`);
    // An empty unquoted CSV field is NULL for COPY; a number column holds a number.
    return fields.map((f, c) => (f === '' ? null : NUMERIC.has(c) ? Number(f) : f));
  });
}

/** `psql` on PATH: its version line, or null. */
function psqlVersion() {
  const probe = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

/** Runs psql with `args` after the connection options; returns stdout, throws on a non-zero exit. */
function psql(url, args) {
  const start = performance.now();
  const child = spawnSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (child.error) throw child.error;
  if (child.status !== 0) throw new BenchFailure(`psql exited with ${child.status}: ${child.stderr.trim()}`);
  return { ms, stdout: child.stdout };
}

async function run({ rounds }) {
  const server = await probePostgres();
  if (!server.ok) {
    printPostgresSkip(NAME, server);
    return;
  }
  const psqlLine = psqlVersion();
  if (psqlLine === null) {
    printSkip(NAME, 'psql is not on PATH');
    return;
  }
  const file = sampleFiles()[0];
  if (!file) throw new Error('no bundled FINRA sample files found');
  const rows = parseFile(file);
  const expected = { rows: rows.length, shares: rows.reduce((sum, r) => sum + r[SHARES], 0) };

  await withBenchSchemas(server.url, async (schemas) => {
    const schema = schemas.create();
    const db = await schemas.open(schema);
    try {
      const qualified = `${quoteIdent(schema)}.${quoteIdent(TABLE)}`;
      await db.executor().exec(`CREATE TABLE ${quoteIdent(TABLE)} (${COLUMNS.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`);
      const copyCommand = `\\copy ${qualified} (${COLUMN_NAMES.map(quoteIdent).join(', ')}) FROM '${file.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER, DELIMITER '|')`;

      const truncate = () => db.executor().exec(`TRUNCATE ${quoteIdent(TABLE)}`);
      /** Rows and share sum now in the table; throws unless they are the file's. */
      const check = async (who) => {
        const [row] = await rawQuery(db, `SELECT count(*) AS n, coalesce(sum(total_weekly_share_quantity), 0) AS shares FROM ${quoteIdent(TABLE)}`);
        const loaded = { rows: Number(row.n), shares: Number(row.shares) };
        if (loaded.rows !== expected.rows || loaded.shares !== expected.shares) {
          throw new BenchFailure(`${who} loaded ${loaded.rows} rows with ${loaded.shares} shares, the file has ${expected.rows} rows with ${expected.shares}; no result written.`);
        }
        return loaded;
      };

      const packageRun = async () => {
        await truncate();
        const start = performance.now();
        const copied = await db.transaction((tx) => tx.insertRows(TABLE, COLUMN_NAMES, rows));
        const ms = performance.now() - start;
        if (copied !== expected.rows) throw new BenchFailure(`insertRows reported ${copied} rows, expected ${expected.rows}; no result written.`);
        await check('insertRows');
        return { ms };
      };
      const psqlRun = async () => {
        await truncate();
        const { ms, stdout } = psql(server.url, ['-c', copyCommand]);
        if (stdout.trim() !== `COPY ${expected.rows}`) throw new BenchFailure(`psql \\copy printed ${JSON.stringify(stdout.trim())}, expected "COPY ${expected.rows}"; no result written.`);
        await check('psql \\copy');
        const analyzeStart = performance.now();
        await db.executor().exec(`ANALYZE ${quoteIdent(TABLE)}`);
        return { ms, analyzeMs: performance.now() - analyzeStart };
      };
      const startupRun = async () => {
        const { ms, stdout } = psql(server.url, ['-tA', '-c', 'SELECT 1']);
        if (stdout.trim() !== '1') throw new Error(`psql -c 'SELECT 1' printed ${JSON.stringify(stdout)}`);
        return { ms };
      };

      const results = await alternatingRounds({
        ...rounds,
        contestants: [
          { name: 'insertRows', run: packageRun },
          { name: 'psql', run: psqlRun },
          { name: 'psqlStartup', run: startupRun },
        ],
      });
      const packageSamples = results.insertRows.map((r) => r.ms);
      const psqlSamples = results.psql.map((r) => r.ms);
      const startupSamples = results.psqlStartup.map((r) => r.ms);
      const analyzeSamples = results.psql.map((r) => r.analyzeMs);
      const ratio = timeRatio(packageSamples, psqlSamples);
      const packageMedian = median(packageSamples);
      const psqlMedian = median(psqlSamples);
      const startupMedian = median(startupSamples);
      const analyzeMedian = median(analyzeSamples);
      const rowsPerSecond = (ms) => Math.round(expected.rows / (ms / 1000));

      const resultFile = writeResult(NAME, {
        runs: { ...rounds, order: ORDER_NOTE },
        postgresServer: { url: server.display, version: server.version, psql: psqlLine },
        input: {
          file: basename(file),
          dataLines: expected.rows,
          sharesSum: expected.shares,
          table: `${TABLE} (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`,
          parsing: 'the file is parsed in JS once before any timing (split on "|", BIGINT columns as numbers, empty fields as NULL); only the load is timed',
        },
        insertRows: {
          what: 'db.transaction((tx) => tx.insertRows(table, columns, rows)) on an open SpineDb: BEGIN, rows as CSV text, COPY … FROM STDIN (FORMAT csv), ANALYZE (>= 1000 rows), COMMIT',
          ...sampleStats(packageSamples),
          rowsPerSecond: rowsPerSecond(packageMedian),
        },
        psql: {
          what: `spawned psql -X -v ON_ERROR_STOP=1 -d <url> -c "\\copy <schema>.${TABLE} (<columns>) FROM '<file>' WITH (FORMAT csv, HEADER, DELIMITER '|')": process start, connection, COPY FROM STDIN of the file, exit`,
          command: copyCommand.replace(file, `<samples>/${basename(file)}`).replace(schema, '<schema>'),
          ...sampleStats(psqlSamples),
          rowsPerSecond: rowsPerSecond(psqlMedian),
        },
        psqlStartup: {
          what: "spawned psql -X -d <url> -tA -c 'SELECT 1': psql's start, connection and exit without a load",
          ...sampleStats(startupSamples),
        },
        analyzeAfterPsql: {
          what: 'ANALYZE of the table after each psql load, through the SpineDb (not in psql time): the part of insertRows psql does not do',
          ...sampleStats(analyzeSamples),
        },
        checks: { rowsLoadedByEach: expected.rows, sharesSumByEach: expected.shares },
        ratio: round(ratio.ratio, 3),
        pairedRatioMedian: round(ratio.pairedRatioMedian, 3),
        ratioDefinition: 'insertRows median ms ÷ psql \\copy median ms (1: as fast as psql; psql\'s time includes its process start and connection, insertRows\' an ANALYZE). pairedRatioMedian: median of the per-round ratios',
      });
      printBlock(`${NAME} benchmark`, [
        `  measured  db.transaction(tx => tx.insertRows(...)) of ${fmtInt(expected.rows)} rows of ${basename(file)} (parsed in JS before the timer): COPY FROM STDIN (FORMAT csv) + ANALYZE`,
        `  baseline  psql \\copy of the same file (FORMAT csv, HEADER, DELIMITER '|'), a spawned ${psqlLine}`,
        `  server    ${server.display}, PostgreSQL ${server.version}; table ${TABLE} truncated before every load (not timed)`,
        `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured, alternating`,
        '',
        statsHeader(),
        statsLine('insertRows', packageSamples),
        statsLine('psql \\copy', psqlSamples),
        statsLine('  psql SELECT 1', startupSamples),
        statsLine('  ANALYZE', analyzeSamples),
        '',
        `  ratio (insertRows median ÷ psql \\copy median): ${ratio.ratio.toFixed(2)}   (median of per-round ratios: ${ratio.pairedRatioMedian.toFixed(2)})`,
        `  rows/s    insertRows ${fmtInt(rowsPerSecond(packageMedian))}, psql \\copy ${fmtInt(rowsPerSecond(psqlMedian))}`,
        `  reading   psql's start + connection alone take ${fmtMs(startupMedian)} ms of its ${fmtMs(psqlMedian)} ms; an ANALYZE of the table takes ${fmtMs(analyzeMedian)} ms of insertRows' ${fmtMs(packageMedian)} ms`,
        `  checks    every load: ${fmtInt(expected.rows)} rows, ${fmtInt(expected.shares)} shares in total, on both`,
        '',
        `  result: ${resultFile}`,
      ]);
    } finally {
      await db.close();
    }
  });
}

export const copyVsPsql = { name: NAME, defaultRounds: { warmup: 2, measured: 21 }, run };
