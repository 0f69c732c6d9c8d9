// `latest-lookup-5m`: one symbol's history read from the *_latest views of a
// 5-million-row venue history, on SQLite and on PostgreSQL, each against the
// same lookup on the base table without the latest logic, in the same process
// and run.
//
// The history is synthetic but made of real rows. The three bundled sample
// weeks (15,174 valid venue rows of tier OTC: (symbol, MPID, issue, venue name,
// shares, trades)) are replicated over 990 weeks ending on Fridays up to
// 2025-11-28: week w is a copy of sample week w mod 3 (the last three weeks
// are the real ones, unchanged), its shares and trades scaled by a
// deterministic factor between 0.5 and 1.5 per row. The key (week, tier,
// symbol, MPID, calc, capture) allows one row per symbol and venue per week,
// and a real week has ~5,000, so 5 million rows take ~1,000 weeks (19 years)
// of the real tier rather than more rows per week. Every week is one capture in
// finra_otc_transparency_captures, and six weeks are captured twice: the
// second capture, a week later, has 90 % of the rows (every row whose index is
// 3 mod 10 left out) with other factors, so the *_latest views must return the
// second capture's rows only. finra_otc_transparency_symbol_summary is filled
// from the venue rows (one row per capture and symbol: sums, venue count,
// average trade size), so both views are measured.
//
// Built on both dialects after migrating (core + FINRA), outside any timer:
// captures from JS, then one INSERT … SELECT per big table from two small seed
// tables (the sample rows and the captures); the secondary indexes of the two
// tables are dropped for the load and built again from their own SQL (checked
// to be the same afterwards); on PostgreSQL a superuser skips the foreign-key
// triggers (session_replication_role = replica); then ANALYZE (PostgreSQL:
// VACUUM ANALYZE, what autovacuum would do after the load, and CHECKPOINT, so
// neither runs during the measurement). Every run checks the rows per capture
// of both tables on both dialects against what the generator makes. The SQLite
// file (~3.7 GB) is kept in the temp dir, keyed by the generator version, the
// sample files and the migration files, and reused (skipped when it must be
// built and the temp dir has less than 8 GiB free); the PostgreSQL schema
// spine_bench_<random> is built every run and dropped at the end. Build times
// are printed and recorded.
//
// Measured, symbols round-robin from a fixed list of real symbols of varied
// popularity (every contestant of a round reads the same symbol):
//   SELECT * FROM finra_otc_transparency_weekly_symbol_venue_volume_latest WHERE symbol = ? ORDER BY week_ending, mpid
//   SELECT * FROM finra_otc_transparency_symbol_summary_latest WHERE symbol = ? ORDER BY week_ending
// through openSpineDb's connection on each dialect; baseline of each: the same
// query on the base table. Ratios: view ÷ base per dialect and view, and
// SQLite ÷ PostgreSQL per query.
//
// Checked: every lookup returns the rows and share sum the generator implies
// (view: the newest capture's rows only), both dialects return the same rows,
// the re-captured weeks hold only their newest capture in both views, and the
// plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on
// PostgreSQL, recorded and printed) do not scan the big tables in full. The
// benchmark fails only on those checks. Skipped with --quick.

import { createHash } from 'node:crypto';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator, openSpineDb } from '@market-spine/core';
import {
  BenchFailure,
  ORDER_NOTE,
  addDays,
  alternatingRounds,
  cachedFixture,
  finraHistoryKey,
  finraSources,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtS,
  loadSamples,
  median,
  pad,
  popularityLevels,
  printBlock,
  printSkip,
  quoteIdent,
  rawQuery,
  removeDbFiles,
  round,
  roundAll,
  sampleStats,
  sqlitePlanLines,
  sqliteVersion,
  statsHeader,
  statsLine,
  timeRatio,
  timed,
  writeResult,
} from './lib.mjs';
import { printPostgresSkip, probePostgres, withBenchSchemas } from './postgres.mjs';

const NAME = 'latest-lookup-5m';
/** Bump when the generated data changes: the cached SQLite file is keyed by it. */
const GENERATOR_VERSION = 'latest-lookup-5m/2';
const WEEKS = 990;
const LAST_WEEK_ENDING = '2025-11-28';
/** Week indexes captured a second time. */
const RECAPTURED = [100, 301, 502, 703, 904, 989];
/** A re-capture leaves out the rows whose index is this mod 10. */
const RECAPTURE_DROP_MOD10 = 3;
const TIER = 'OTC';
const MIN_VENUE_ROWS = 5_000_000;
const EXECUTION_ID = 'exec_bench_latest_5m';

const VENUE = 'finra_otc_transparency_weekly_symbol_venue_volume';
const SUMMARY = 'finra_otc_transparency_symbol_summary';
const QUERIES = {
  venueView: { table: `${VENUE}_latest`, order: 'week_ending, mpid', kind: 'venue', view: true },
  venueBase: { table: VENUE, order: 'week_ending, mpid', kind: 'venue', view: false },
  summaryView: { table: `${SUMMARY}_latest`, order: 'week_ending', kind: 'summary', view: true },
  summaryBase: { table: SUMMARY, order: 'week_ending', kind: 'summary', view: false },
};
const lookupSql = (query, placeholder) => `SELECT * FROM ${QUERIES[query].table} WHERE symbol = ${placeholder} ORDER BY ${QUERIES[query].order}`;

// ---------------------------------------------------------------- the synthetic history (JS side)

/** Per-row factor ×1000 (500–1500; 1000 for the unchanged real weeks). The SQL below computes the same. */
const factor = (week, i) => (week.identity ? 1000 : 500 + ((week.w * 7919 + i * 104729 + week.salt) % 1001));
/** A count scaled by the factor, rounded up (so a positive count stays positive); integer arithmetic, as in SQL. */
const scaled = (value, f) => Math.floor((value * f + 999) / 1000);
const keepsRow = (week, i) => !week.recapture || i % 10 !== RECAPTURE_DROP_MOD10;

/** The captures: one per week (index w, sample w mod 3), then the re-captures. */
function buildWeeks(samples) {
  const weeks = [];
  for (let w = 0; w < WEEKS; w++) {
    const weekEnding = addDays(LAST_WEEK_ENDING, -7 * (WEEKS - 1 - w));
    const s = w % 3;
    const identity = w >= WEEKS - 3;
    if (identity && samples[s].weekEnding !== weekEnding) throw new Error(`sample ${basename(samples[s].path)} is week ${samples[s].weekEnding}, expected ${weekEnding}`);
    const published = addDays(weekEnding, 31);
    weeks.push({ w, s, weekEnding, captureId: `cap_bench_${String(w).padStart(4, '0')}`, capturedAt: `${published}T14:00:00.000Z`, lastUpdate: published, identity, salt: 0, recapture: false });
  }
  for (const w of RECAPTURED) {
    const first = weeks[w];
    const published = addDays(first.lastUpdate, 7);
    weeks.push({ ...first, captureId: `${first.captureId}_r2`, capturedAt: `${published}T14:00:00.000Z`, lastUpdate: published, identity: false, salt: 500, recapture: true });
  }
  return weeks;
}

/** Rows of a capture (count), after the re-capture filter. */
const captureRows = (samples, week) => samples[week.s].rows.filter((r) => keepsRow(week, r.i)).length;

/**
 * The symbols looked up, one per popularity level (rows over the three
 * samples: 9 = three venues in all three weeks … 1 = one venue in one week),
 * most popular first, each the middle one of its level in name order; and
 * what each lookup must return.
 */
function lookupExpectations(samples, weeks) {
  const { popularity, levels } = popularityLevels(samples);
  const symbols = [...levels.keys()].sort((a, b) => b - a).map((n) => levels.get(n).sort()[Math.floor(levels.get(n).length / 2)]);
  const newest = new Map();
  for (const week of weeks) if (!newest.has(week.w) || week.capturedAt > newest.get(week.w).capturedAt) newest.set(week.w, week);
  const expected = {};
  for (const symbol of symbols) {
    const e = { sampleRows: popularity.get(symbol), venueBase: { rows: 0, shares: 0 }, venueView: { rows: 0, shares: 0 }, summaryBase: { rows: 0, shares: 0 }, summaryView: { rows: 0, shares: 0 } };
    const bySample = samples.map((sample) => sample.rows.filter((r) => r.symbol === symbol));
    for (const week of weeks) {
      const rows = bySample[week.s].filter((r) => keepsRow(week, r.i));
      if (rows.length === 0) continue;
      const shares = rows.reduce((sum, r) => sum + scaled(r.shares, factor(week, r.i)), 0);
      const isNewest = newest.get(week.w) === week;
      e.venueBase.rows += rows.length;
      e.venueBase.shares += shares;
      e.summaryBase.rows += 1;
      e.summaryBase.shares += shares;
      if (isNewest) {
        e.venueView.rows += rows.length;
        e.venueView.shares += shares;
        e.summaryView.rows += 1;
        e.summaryView.shares += shares;
      }
    }
    expected[symbol] = e;
  }
  return { symbols, expected };
}

// ---------------------------------------------------------------- the synthetic history (SQL side, both dialects)

const SEED_COLUMNS = ['s', 'i', 'symbol', 'mpid', 'issue_name', 'venue_name', 'shares', 'trades'];
const WEEK_COLUMNS = ['w', 's', 'week_ending', 'capture_id', 'captured_at', 'last_update', 'identity', 'salt', 'recapture'];
const seedValues = (samples) => samples.flatMap((sample) => sample.rows.map((r) => [r.s, r.i, r.symbol, r.mpid, r.issueName, r.venueName, r.shares, r.trades]));
const weekValues = (weeks) => weeks.map((k) => [k.w, k.s, k.weekEnding, k.captureId, k.capturedAt, k.lastUpdate, k.identity ? 1 : 0, k.salt, k.recapture ? 1 : 0]);
const CAPTURE_COLUMNS = ['capture_id', 'week_ending', 'tier', 'week_ending_source', 'load_id', 'source_type', 'source_locator', 'source_sha256', 'source_bytes', 'source_format', 'source_last_update_date', 'lines_total', 'stage', 'captured_at', 'execution_id', 'batch_id'];
const captureValues = (samples, weeks) =>
  weeks.map((k) => [k.captureId, k.weekEnding, TIER, 'derived', `load_${k.captureId}`, 'file', `synthetic:${basename(samples[k.s].path)}`, createHash('sha256').update(k.captureId).digest('hex'), 0, 'finra_website_export', k.lastUpdate, captureRows(samples, k), 'SNAPSHOT', k.capturedAt, EXECUTION_ID, null]);

/** Seed tables (both dialects): the sample rows and the captures. */
const seedDdl = (types) => [
  `CREATE ${types.temp} bench_seed (s INTEGER NOT NULL, i BIGINT NOT NULL, symbol TEXT NOT NULL, mpid TEXT NOT NULL, issue_name TEXT, venue_name TEXT, shares BIGINT NOT NULL, trades BIGINT NOT NULL, PRIMARY KEY (s, i))`,
  `CREATE ${types.temp} bench_weeks (w BIGINT NOT NULL, s INTEGER NOT NULL, week_ending ${types.date} NOT NULL, capture_id TEXT NOT NULL, captured_at ${types.instant} NOT NULL, last_update ${types.date} NOT NULL, identity INTEGER NOT NULL, salt BIGINT NOT NULL, recapture INTEGER NOT NULL)`,
];

/** The venue rows: every capture × its sample's rows (a re-capture without every row whose index is 3 mod 10), counts scaled as {@link factor} and {@link scaled} do. */
const VENUE_INSERT = `INSERT INTO ${VENUE} (week_ending, tier, symbol, mpid, issue_name, market_participant_name, total_volume, trade_count, source_last_update_date, calc_name, calc_version, capture_id, captured_at, execution_id, batch_id, calculated_at)
SELECT k.week_ending, '${TIER}', d.symbol, d.mpid, d.issue_name, d.venue_name,
       (d.shares * (CASE WHEN k.identity = 1 THEN 1000 ELSE 500 + (k.w * 7919 + d.i * 104729 + k.salt) % 1001 END) + 999) / 1000,
       (d.trades * (CASE WHEN k.identity = 1 THEN 1000 ELSE 500 + (k.w * 7919 + d.i * 104729 + k.salt) % 1001 END) + 999) / 1000,
       k.last_update, 'weekly_symbol_venue_volume', 'v1', k.capture_id, k.captured_at, '${EXECUTION_ID}', NULL, k.captured_at
FROM bench_weeks AS k
JOIN bench_seed AS d ON d.s = k.s AND (k.recapture = 0 OR d.i % 10 <> ${RECAPTURE_DROP_MOD10})`;

/** One summary row per capture and symbol, from the venue rows. */
const SUMMARY_INSERT = `INSERT INTO ${SUMMARY} (week_ending, tier, symbol, issue_name, total_volume, total_trades, venue_count, avg_trade_size, calc_name, calc_version, capture_id, captured_at, execution_id, batch_id, calculated_at)
SELECT min(week_ending), min(tier), symbol, min(issue_name), sum(total_volume), sum(trade_count), count(*),
       CASE WHEN sum(trade_count) > 0 THEN CAST(sum(total_volume) AS DOUBLE PRECISION) / sum(trade_count) END,
       'symbol_summary', 'v1', capture_id, min(captured_at), '${EXECUTION_ID}', NULL, min(calculated_at)
FROM ${VENUE}
GROUP BY capture_id, symbol`;

/** Rows per capture the generator makes: venue rows and summary rows (distinct symbols). */
function expectedCounts(samples, weeks) {
  const perCapture = {};
  for (const week of weeks) {
    const rows = samples[week.s].rows.filter((r) => keepsRow(week, r.i));
    perCapture[week.captureId] = { venue: rows.length, summary: new Set(rows.map((r) => r.symbol)).size };
  }
  const sum = (key) => Object.values(perCapture).reduce((n, c) => n + c[key], 0);
  return { venueRows: sum('venue'), summaryRows: sum('summary'), captures: weeks.length, perCapture };
}

/**
 * Rows per capture in the two big tables and the captures table, read back
 * after a build (both dialects): the same as {@link expectedCounts}, or a
 * list of differences. It also proves every row belongs to a known capture
 * (the PostgreSQL build may skip the foreign-key triggers).
 */
async function checkCounts(query, want) {
  const got = {};
  for (const [key, table] of [['venue', VENUE], ['summary', SUMMARY]]) {
    for (const row of await query(`SELECT capture_id, count(*) AS n FROM ${table} GROUP BY capture_id`)) {
      (got[row.capture_id] ??= { venue: 0, summary: 0 })[key] = Number(row.n);
    }
  }
  const captures = Number((await query('SELECT count(*) AS n FROM finra_otc_transparency_captures'))[0].n);
  const ids = [...new Set([...Object.keys(got), ...Object.keys(want.perCapture)])];
  const differences = ids
    .filter((id) => JSON.stringify(got[id] ?? null) !== JSON.stringify(want.perCapture[id] ?? null))
    .map((id) => ({ captureId: id, rows: got[id] ?? null, expected: want.perCapture[id] ?? null }));
  if (captures !== want.captures) differences.push({ captures, expected: want.captures });
  return differences;
}

// ---------------------------------------------------------------- plans

/** Names under which the plans may show the two big tables (the views alias them t and c). */
const BIG_TABLE_NAMES = new Set([VENUE, SUMMARY, 't', 'c']);

/** Lines of a SQLite plan that read a big table in full (SCAN, with or without an index: a full index scan reads every entry too). */
const sqliteFullScans = (lines) => lines.filter((line) => {
  const m = /^\s*SCAN (\S+)/.exec(line);
  return m !== null && BIG_TABLE_NAMES.has(m[1]);
});
/** Lines of a PostgreSQL plan that read a big table in full. */
const postgresFullScans = (lines) => lines.filter((line) => new RegExp(`Seq Scan on (${VENUE}|${SUMMARY})\\b`).test(line));

async function sqlitePlans(query, symbol) {
  const out = {};
  for (const name of Object.keys(QUERIES)) out[name] = sqlitePlanLines(await query(`EXPLAIN QUERY PLAN ${lookupSql(name, '?')}`, [symbol]));
  return out;
}

async function postgresPlans(db, symbol) {
  const out = {};
  for (const name of Object.keys(QUERIES)) out[name] = (await rawQuery(db, `EXPLAIN (ANALYZE, BUFFERS) ${lookupSql(name, '$1')}`, [symbol])).map((r) => r['QUERY PLAN']);
  return out;
}

// ---------------------------------------------------------------- SQLite build (cached)

const CACHE_PREFIX = 'spine-bench-latest-5m-';
/** Free space the temp dir needs to build the SQLite history (~3.7 GB, plus its sort and temp files). */
const MIN_FREE_BYTES = 8 * 1024 ** 3;

/**
 * Builds the SQLite history into `<path>.building` (migrated with the engine,
 * then filled with better-sqlite3 on the same file, journal off, synchronous
 * off, 1 GiB cache: it is a fixture), ANALYZEs it, puts it back in WAL mode
 * and renames it. Returns the build's timings and the plans before ANALYZE.
 */
async function buildSqlite(path, samples, weeks, planSymbol) {
  const building = `${path}.building`;
  removeDbFiles(building);
  const timings = {};
  const t0 = performance.now();
  const spine = await openSpineDb(building);
  try {
    const migrated = await new Migrator(spine, { sources: finraSources() }).migrate();
    if (migrated.status !== 'ok') throw new Error(`migration of the SQLite history failed: ${JSON.stringify(migrated)}`);
  } finally {
    await spine.close();
  }
  timings.migrateMs = performance.now() - t0;
  const db = new Database(building);
  let plansBeforeAnalyze;
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.pragma('temp_store = MEMORY');
    const insertAll = (table, columns, rows) => {
      const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const row of rows) insert.run(row);
      })();
    };
    // The secondary indexes of the two big tables are dropped for the load and built again from their own SQL
    // afterwards (checked below): sorting once is much cheaper than 8 million random index inserts.
    const indexSql = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('${VENUE}', '${SUMMARY}') ORDER BY name`);
    const indexes = indexSql.all();
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    let t = performance.now();
    for (const ddl of seedDdl({ temp: 'TEMP TABLE', date: 'TEXT', instant: 'TEXT' })) db.exec(ddl);
    insertAll('bench_seed', SEED_COLUMNS, seedValues(samples));
    insertAll('bench_weeks', WEEK_COLUMNS, weekValues(weeks));
    insertAll('finra_otc_transparency_captures', CAPTURE_COLUMNS, captureValues(samples, weeks));
    timings.seedMs = performance.now() - t;
    t = performance.now();
    db.exec(`BEGIN; ${VENUE_INSERT}; COMMIT;`);
    timings.venueMs = performance.now() - t;
    t = performance.now();
    db.exec(`BEGIN; ${SUMMARY_INSERT}; COMMIT;`);
    timings.summaryMs = performance.now() - t;
    t = performance.now();
    for (const index of indexes) db.exec(index.sql);
    timings.indexesMs = performance.now() - t;
    if (JSON.stringify(indexSql.all()) !== JSON.stringify(indexes)) throw new Error('the SQLite history lost an index of its schema');
    db.exec('DROP TABLE temp.bench_seed; DROP TABLE temp.bench_weeks;');
    const query = async (sql, params = []) => db.prepare(sql).all(params);
    plansBeforeAnalyze = await sqlitePlans(query, planSymbol);
    t = performance.now();
    db.exec('ANALYZE');
    timings.analyzeMs = performance.now() - t;
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  timings.totalMs = performance.now() - t0;
  renameSync(building, path);
  removeDbFiles(building);
  return { timings, plansBeforeAnalyze };
}

/** The cached SQLite history for this key (built when missing), with its build record; null (skipped) when there is no room to build it. */
async function sqliteHistory(samples, weeks, planSymbol) {
  return cachedFixture({
    prefix: CACHE_PREFIX,
    key: await finraHistoryKey(GENERATOR_VERSION, samples),
    minFreeBytes: MIN_FREE_BYTES,
    noRoom: (free) => printSkip(NAME, `the SQLite history must be built and ${tmpdir()} has only ${fmtBytes(free)} free, it needs ${fmtBytes(MIN_FREE_BYTES)}`),
    build: async (path) => {
      console.log(`${NAME}: building the SQLite history ${path} (once; reused by later runs while the generator, samples and migrations stay the same)…`);
      return { generatorVersion: GENERATOR_VERSION, planSymbol, ...(await buildSqlite(path, samples, weeks, planSymbol)) };
    },
  });
}

// ---------------------------------------------------------------- PostgreSQL build

/** The indexes of the two big tables that back no constraint, with their definitions. */
const PG_SECONDARY_INDEXES = `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ('${VENUE}', '${SUMMARY}')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname`;

/** Fills the (migrated) schema of `db`: seed tables, captures, venue and summary rows, VACUUM ANALYZE. */
async function buildPostgres(db, samples, weeks) {
  const timings = {};
  let t = performance.now();
  let indexes;
  await db.transaction(async (tx) => {
    await tx.exec("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'");
    // A superuser can skip the foreign-key triggers (8 million lookups of the 996 captures, ~40 % of the
    // insert time); checkCounts proves afterwards that every row belongs to a capture of the generator.
    const [{ superuser }] = await rawQuery(tx, "SELECT current_setting('is_superuser') AS superuser");
    timings.foreignKeyTriggers = superuser === 'on' ? 'skipped (session_replication_role = replica)' : 'fired (not a superuser)';
    if (superuser === 'on') await tx.exec('SET LOCAL session_replication_role = replica');
    // As on SQLite: the secondary indexes are dropped for the load and built again from their definitions.
    indexes = await rawQuery(tx, PG_SECONDARY_INDEXES);
    for (const index of indexes) await tx.exec(`DROP INDEX ${quoteIdent(index.name)}`);
    for (const ddl of seedDdl({ temp: 'TEMP TABLE', date: 'DATE', instant: 'TIMESTAMPTZ' })) await tx.exec(`${ddl} ON COMMIT DROP`);
    await tx.insertRows('bench_seed', SEED_COLUMNS, seedValues(samples));
    await tx.insertRows('bench_weeks', WEEK_COLUMNS, weekValues(weeks));
    await tx.insertRows('finra_otc_transparency_captures', CAPTURE_COLUMNS, captureValues(samples, weeks));
    timings.seedMs = performance.now() - t;
    t = performance.now();
    await tx.exec(VENUE_INSERT);
    timings.venueMs = performance.now() - t;
    t = performance.now();
    await tx.exec(SUMMARY_INSERT);
    timings.summaryMs = performance.now() - t;
    t = performance.now();
    for (const index of indexes) await tx.exec(index.definition);
    timings.indexesMs = performance.now() - t;
  });
  if (JSON.stringify(await rawQuery(db, PG_SECONDARY_INDEXES)) !== JSON.stringify(indexes)) throw new Error('the PostgreSQL history lost an index of its schema');
  t = performance.now();
  await db.executor().exec(`VACUUM ANALYZE finra_otc_transparency_captures, ${VENUE}, ${SUMMARY}`);
  timings.vacuumAnalyzeMs = performance.now() - t;
  // For reading: what the ANALYZE that insertRows runs after every bulk load of >= 1000 rows costs at this size.
  t = performance.now();
  await db.executor().exec(`ANALYZE ${VENUE}`);
  timings.analyzeVenueOnceMoreMs = performance.now() - t;
  // The load left gigabytes of WAL and dirty buffers; flush them now rather than during the measurement.
  t = performance.now();
  try {
    await db.executor().exec('CHECKPOINT');
    timings.checkpointMs = performance.now() - t;
  } catch (error) {
    timings.checkpoint = `not run: ${error instanceof Error ? error.message : error}`;
  }
  return timings;
}

// ---------------------------------------------------------------- checks

/** The re-captured weeks hold only their newest capture in both views. */
async function recaptureChecks(query, placeholder, weeks, samples) {
  const out = [];
  for (const week of weeks.filter((k) => k.recapture)) {
    for (const [view, table] of [['venueView', `${VENUE}_latest`], ['summaryView', `${SUMMARY}_latest`]]) {
      const [row] = await query(`SELECT count(*) AS n, count(DISTINCT capture_id) AS captures, min(capture_id) AS capture_id FROM ${table} WHERE week_ending = ${placeholder} AND tier = '${TIER}'`, [week.weekEnding]);
      const [base] = await query(`SELECT count(*) AS n FROM ${table.replace(/_latest$/, '')} WHERE week_ending = ${placeholder} AND tier = '${TIER}'`, [week.weekEnding]);
      const sampleRows = samples[week.s].rows.filter((r) => keepsRow(week, r.i));
      const expectedRows = view === 'venueView' ? sampleRows.length : new Set(sampleRows.map((r) => r.symbol)).size;
      out.push({ weekEnding: week.weekEnding, view, rows: Number(row.n), captures: Number(row.captures), captureId: row.capture_id, expectedRows, expectedCaptureId: week.captureId, baseRowsBothCaptures: Number(base.n) });
    }
  }
  const bad = out.filter((c) => c.rows !== c.expectedRows || c.captures !== 1 || c.captureId !== c.expectedCaptureId);
  return { checks: out, bad };
}

// ---------------------------------------------------------------- the benchmark

async function run({ rounds, quick }) {
  if (quick) {
    printSkip(NAME, '--quick');
    return;
  }
  const server = await probePostgres();
  if (!server.ok) {
    printPostgresSkip(NAME, server);
    return;
  }
  const samples = loadSamples();
  const weeks = buildWeeks(samples);
  const { symbols, expected } = lookupExpectations(samples, weeks);
  const counts = expectedCounts(samples, weeks);
  if (counts.venueRows < MIN_VENUE_ROWS) throw new Error(`the generator makes only ${counts.venueRows} venue rows`);
  const planSymbol = symbols[0];

  // ------------------------------------------------------------ SQLite history (cached)
  const sqlite = await sqliteHistory(samples, weeks, planSymbol);
  if (sqlite === null) return;
  const liteDb = await openSpineDb(sqlite.path);
  try {
    const liteQuery = (sql, params = []) => rawQuery(liteDb, sql, params);
    const liteDiffs = await checkCounts(liteQuery, counts);
    if (liteDiffs.length > 0) {
      throw new BenchFailure(`the SQLite history ${sqlite.path} does not hold the rows per capture the generator makes (${liteDiffs.length} differences); delete it to rebuild.`, liteDiffs.slice(0, 5));
    }

    await withBenchSchemas(server.url, async (schemas) => {
      // ---------------------------------------------------------- PostgreSQL history
      const schema = schemas.create();
      const pgDb = await schemas.open(schema);
      try {
        const pgQuery = (sql, params = []) => rawQuery(pgDb, sql, params);
        console.log(`${NAME}: building the PostgreSQL history in schema ${schema} of ${server.display} (dropped at the end)…`);
        const pgBuildStart = performance.now();
        const migrated = await new Migrator(pgDb, { sources: finraSources() }).migrate();
        if (migrated.status !== 'ok') throw new Error(`migration of the PostgreSQL history failed: ${JSON.stringify(migrated)}`);
        const pgTimings = { migrateMs: performance.now() - pgBuildStart, ...(await buildPostgres(pgDb, samples, weeks)) };
        pgTimings.totalMs = performance.now() - pgBuildStart;
        const pgDiffs = await checkCounts(pgQuery, counts);
        if (pgDiffs.length > 0) {
          throw new BenchFailure(`the PostgreSQL history does not hold the rows per capture the generator makes (${pgDiffs.length} differences); no result written.`, pgDiffs.slice(0, 5));
        }

        // -------------------------------------------------------- checks and plans (untimed)
        const dialects = { sqlite: { query: liteQuery, placeholder: '?' }, postgres: { query: pgQuery, placeholder: '$1' } };
        const recaptures = {};
        for (const [dialect, { query, placeholder }] of Object.entries(dialects)) {
          const result = await recaptureChecks(query, placeholder, weeks, samples);
          if (result.bad.length > 0) throw new BenchFailure(`${dialect}: a *_latest view does not return only the newest capture of a re-captured week; no result written.`, result.bad);
          recaptures[dialect] = result.checks;
        }
        for (const symbol of symbols) {
          for (const query of ['venueView', 'summaryView']) {
            const lite = await liteQuery(lookupSql(query, '?'), [symbol]);
            const pg = await pgQuery(lookupSql(query, '$1'), [symbol]);
            if (JSON.stringify(lite) !== JSON.stringify(pg)) {
              const at = lite.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(pg[i]));
              throw new BenchFailure(`${query} of ${symbol}: SQLite and PostgreSQL return different rows; no result written.`, { sqliteRows: lite.length, postgresRows: pg.length, firstDifference: { sqlite: lite[at], postgres: pg[at] } });
            }
          }
        }
        const plans = { sqlite: await sqlitePlans(liteQuery, planSymbol), postgres: await postgresPlans(pgDb, planSymbol) };
        const fullScans = [
          ...Object.entries(plans.sqlite).flatMap(([q, lines]) => sqliteFullScans(lines).map((line) => `sqlite ${q}: ${line.trim()}`)),
          ...Object.entries(plans.postgres).flatMap(([q, lines]) => postgresFullScans(lines).map((line) => `postgres ${q}: ${line.trim()}`)),
        ];
        printPlans(plans, planSymbol, { symbol: sqlite.meta.planSymbol, plans: sqlite.meta.plansBeforeAnalyze });
        if (fullScans.length > 0) {
          throw new BenchFailure(`a lookup plan scans a ${fmtInt(counts.venueRows)}-row table in full; no result written.`, fullScans);
        }

        // -------------------------------------------------------- rounds
        const contestant = (dialect, query) => {
          const { placeholder } = dialects[dialect];
          const db = dialect === 'sqlite' ? liteDb : pgDb;
          const sql = lookupSql(query, placeholder);
          let k = 0;
          return {
            name: `${dialect}.${query}`,
            run: async () => {
              const symbol = symbols[k++ % symbols.length];
              const { ms, value: rows } = await timed(() => rawQuery(db, sql, [symbol]));
              const want = expected[symbol][query];
              const shares = rows.reduce((sum, r) => sum + Number(r.total_volume), 0);
              if (rows.length !== want.rows || shares !== want.shares) {
                throw new BenchFailure(`${dialect} ${query} of ${symbol} returned ${rows.length} rows with ${shares} shares, expected ${want.rows} with ${want.shares}; no result written.`);
              }
              return { ms, symbol };
            },
          };
        };
        const contestants = Object.keys(QUERIES).flatMap((query) => ['sqlite', 'postgres'].map((dialect) => contestant(dialect, query)));
        const results = await alternatingRounds({ ...rounds, contestants });
        report({ rounds, server, sqlite, counts, pgTimings, schema, symbols, expected, results, plans, recaptures });
      } finally {
        await pgDb.close();
      }
    });
  } finally {
    await liteDb.close();
  }
}

function printPlans(plans, symbol, before) {
  const lines = [`  plans of the lookups of ${symbol} (the most popular symbol of the list)`];
  for (const query of Object.keys(QUERIES)) {
    lines.push('', `  SQLite  EXPLAIN QUERY PLAN ${lookupSql(query, '?')}`, ...plans.sqlite[query].map((l) => `    ${l}`));
    if (before && before.symbol === symbol && JSON.stringify(before.plans[query]) !== JSON.stringify(plans.sqlite[query])) {
      lines.push('    before ANALYZE (as a database the product never analyzes would run it):', ...before.plans[query].map((l) => `      ${l}`));
    }
  }
  if (before && before.symbol === symbol && JSON.stringify(before.plans) === JSON.stringify(plans.sqlite)) {
    lines.push('', "  (the SQLite plans were the same before the build's ANALYZE, i.e. on a database the product never analyzes)");
  }
  for (const query of Object.keys(QUERIES)) {
    lines.push('', `  PostgreSQL  EXPLAIN (ANALYZE, BUFFERS) ${lookupSql(query, '$1')}`, ...plans.postgres[query].map((l) => `    ${l}`));
  }
  printBlock(`${NAME}: query plans`, lines);
}

function report({ rounds, server, sqlite, counts, pgTimings, schema, symbols, expected, results, plans, recaptures }) {
  const samplesOf = (name) => results[name].map((r) => r.ms);
  const stats = {};
  for (const name of Object.keys(results)) {
    const bySymbol = {};
    for (const r of results[name]) (bySymbol[r.symbol] ??= []).push(r.ms);
    stats[name] = { ...sampleStats(samplesOf(name)), medianMsBySymbol: Object.fromEntries(symbols.filter((s) => bySymbol[s]).map((s) => [s, round(median(bySymbol[s]), 3)])) };
  }
  const ratio = (a, b) => timeRatio(samplesOf(a), samplesOf(b));
  const ratios = {
    sqliteVenueViewOverBase: ratio('sqlite.venueView', 'sqlite.venueBase'),
    postgresVenueViewOverBase: ratio('postgres.venueView', 'postgres.venueBase'),
    sqliteSummaryViewOverBase: ratio('sqlite.summaryView', 'sqlite.summaryBase'),
    postgresSummaryViewOverBase: ratio('postgres.summaryView', 'postgres.summaryBase'),
    venueViewSqliteOverPostgres: ratio('sqlite.venueView', 'postgres.venueView'),
    venueBaseSqliteOverPostgres: ratio('sqlite.venueBase', 'postgres.venueBase'),
    summaryViewSqliteOverPostgres: ratio('sqlite.summaryView', 'postgres.summaryView'),
    summaryBaseSqliteOverPostgres: ratio('sqlite.summaryBase', 'postgres.summaryBase'),
  };
  const roundRatio = (r) => ({ ratio: round(r.ratio, 3), pairedRatioMedian: round(r.pairedRatioMedian, 3) });
  const liteBuild = sqlite.meta.timings;
  const resultFile = writeResult(NAME, {
    runs: { ...rounds, order: ORDER_NOTE, lookupsPerRound: 'one per contestant, all of the same symbol (round-robin over the list)' },
    postgresServer: { url: server.display, version: server.version },
    input: {
      history: `${WEEKS} weeks of tier ${TIER} up to ${LAST_WEEK_ENDING}, week w a copy of bundled sample week w mod 3 with per-row factors 0.5–1.5 (the last three weeks the real ones), one capture per week; weeks ${RECAPTURED.join(', ')} captured twice (second capture: 90 % of the rows, other factors)`,
      venueRows: counts.venueRows,
      summaryRows: counts.summaryRows,
      captures: counts.captures,
      recapturedWeeks: RECAPTURED.length,
      symbols: Object.fromEntries(symbols.map((s) => [s, expected[s]])),
    },
    build: {
      sqlite: { path: sqlite.path, key: sqlite.key, reused: sqlite.reused, builtAt: sqlite.meta.builtAt, timingsMs: roundAll(liteBuild) },
      postgres: { schema, timingsMs: roundAll(pgTimings) },
    },
    queries: Object.fromEntries(Object.keys(QUERIES).map((q) => [q, { sqlite: lookupSql(q, '?'), postgres: lookupSql(q, '$1') }])),
    lookups: stats,
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, roundRatio(v)])),
    ratioDefinition: '*ViewOverBase: view median ms ÷ base-table median ms on one dialect (the cost of the latest logic; 1: none). *SqliteOverPostgres: SQLite median ms ÷ PostgreSQL median ms of the same query (above 1: PostgreSQL faster). pairedRatioMedian: median of the per-round ratios (same symbol)',
    checks: { recaptures, lookupsMatchExpectedRowsAndShares: true, viewsReturnSameRowsOnBothDialects: true, fullScans: [] },
    plans: { symbol: symbols[0], sqlite: plans.sqlite, sqliteBeforeAnalyze: { symbol: sqlite.meta.planSymbol, plans: sqlite.meta.plansBeforeAnalyze }, postgres: plans.postgres },
  });
  const line = (name) => statsLine(name, samplesOf(name), 24);
  const r2 = (r) => `${r.ratio.toFixed(2)} (paired ${r.pairedRatioMedian.toFixed(2)})`;
  printBlock(`${NAME} benchmark`, [
    `  history   ${fmtInt(counts.venueRows)} venue rows, ${fmtInt(counts.summaryRows)} summary rows, ${fmtInt(counts.captures)} captures (${WEEKS} weeks × tier ${TIER}, ${RECAPTURED.length} weeks re-captured)`,
    `  build     SQLite ${sqlite.reused ? `reused ${sqlite.path} (built ${sqlite.meta.builtAt} in` : `built ${sqlite.path} in`} ${fmtS(liteBuild.totalMs)}: venue rows ${fmtS(liteBuild.venueMs)}, summary ${fmtS(liteBuild.summaryMs)}, indexes ${fmtS(liteBuild.indexesMs)}, ANALYZE ${fmtS(liteBuild.analyzeMs)}${sqlite.reused ? ')' : ''}`,
    `            PostgreSQL ${fmtS(pgTimings.totalMs)} in schema ${schema}: migrate ${fmtS(pgTimings.migrateMs)}, venue rows ${fmtS(pgTimings.venueMs)}, summary ${fmtS(pgTimings.summaryMs)}, indexes ${fmtS(pgTimings.indexesMs)}, VACUUM ANALYZE ${fmtS(pgTimings.vacuumAnalyzeMs)}, ${pgTimings.checkpointMs === undefined ? 'no CHECKPOINT' : `CHECKPOINT ${fmtS(pgTimings.checkpointMs)}`}; foreign-key triggers ${pgTimings.foreignKeyTriggers}`,
    `            (one more ANALYZE of the ${fmtInt(counts.venueRows)}-row venue table, as insertRows runs after every load of >= 1,000 rows into it: ${fmtS(pgTimings.analyzeVenueOnceMoreMs)})`,
    `  symbols   ${symbols.map((s) => `${s} (${fmtInt(expected[s].venueView.rows)})`).join(', ')}   (venue rows in the view)`,
    `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured rounds, 8 lookups each (4 queries × 2 dialects), alternating; SQLite ${sqliteVersion()}, PostgreSQL ${server.version}`,
    '',
    statsHeader(24),
    line('sqlite.venueView'),
    line('sqlite.venueBase'),
    line('postgres.venueView'),
    line('postgres.venueBase'),
    line('sqlite.summaryView'),
    line('sqlite.summaryBase'),
    line('postgres.summaryView'),
    line('postgres.summaryBase'),
    '',
    '  ratios (median ÷ median; paired: median of per-round ratios)',
    `    venue view ÷ base      SQLite ${r2(ratios.sqliteVenueViewOverBase)}   PostgreSQL ${r2(ratios.postgresVenueViewOverBase)}`,
    `    summary view ÷ base    SQLite ${r2(ratios.sqliteSummaryViewOverBase)}   PostgreSQL ${r2(ratios.postgresSummaryViewOverBase)}`,
    `    SQLite ÷ PostgreSQL    venue view ${r2(ratios.venueViewSqliteOverPostgres)}   venue base ${r2(ratios.venueBaseSqliteOverPostgres)}`,
    `                           summary view ${r2(ratios.summaryViewSqliteOverPostgres)}   summary base ${r2(ratios.summaryBaseSqliteOverPostgres)}`,
    '',
    '  median ms by symbol     ' + ['sqlite.venueView', 'sqlite.venueBase', 'postgres.venueView', 'postgres.venueBase'].map((n) => pad(n.replace('.venue', ' '), 14)).join(''),
    ...symbols.map((s) => `    ${s.padEnd(10)}${pad(fmtInt(expected[s].venueView.rows), 8)} rows ${['sqlite.venueView', 'sqlite.venueBase', 'postgres.venueView', 'postgres.venueBase'].map((n) => pad(stats[n].medianMsBySymbol[s] === undefined ? '-' : fmtMs(stats[n].medianMsBySymbol[s]), 14)).join('')}`),
    '',
    `  checks    every lookup returned the expected rows and share sum; both views return the same rows on both dialects;`,
    `            re-captured weeks: only the newest capture in both views on both dialects; no full scan of ${VENUE} or ${SUMMARY} in the plans`,
    '',
    `  result: ${resultFile}`,
  ]);
}

export const latestLookup5m = { name: NAME, defaultRounds: { warmup: 10, measured: 50 }, run };
