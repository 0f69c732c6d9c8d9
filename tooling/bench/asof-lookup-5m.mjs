// `asof-lookup-5m`: one symbol's venue rows as known at an instant
// (calcRowsAsOf, @market-spine/domains-finra) over a synthetic multi-year
// history of 5 million venue rows with three captures per week, on SQLite,
// against the same query reading the table by a full scan (NOT INDEXED), in
// the same process and run.
//
// The history is made of real rows. The three bundled sample weeks (15,174
// valid venue rows of tier OTC) are replicated over 340 weeks ending on
// Fridays up to 2025-11-28 (6.5 years): week w is a copy of sample week
// w mod 3, and every week has three captures — the publication (31 days after
// the week ends, 14:00 UTC) and two revisions 2 and 9 days later, each
// without 2 % of the rows (index ≡ r mod 50) — with shares and trades scaled
// by a deterministic factor 0.5–1.5 per (week, row, capture), so each capture's
// share sums differ. Every tenth week's second revision has the same
// captured_at as its first, so the higher capture_id must win the tie.
//
// Built once into the temp dir (migrated with the engine, then one
// INSERT … SELECT; the secondary indexes dropped for the load and rebuilt from
// their own SQL; ANALYZE), and reused while the generator version, the sample
// files and the migration files stay the same.
//
// Measured: calcRowsAsOf(db, 'weekly_symbol_venue_volume', asOf)
// .where('t.symbol', '=', symbol).selectAll('t').execute() through
// openSpineDb's connection — the symbol index finds the rows, idx_*_latest
// picks each week's capture as of the instant. Baseline: the same compiled
// SQL with the table read NOT INDEXED (one full scan of the 5 million rows;
// the capture pick keeps its index, since without it the correlated pick
// scans the table once per row: rows × table, hours at this size). Rounds
// alternate; every lookup must return the rows and share sum the generator
// implies. Symbols round-robin from a fixed list of popularity levels; the
// instant alternates between the middle of the history and after its end.

import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Migrator, openSpineDb } from '@market-spine/core';
import { calcRowsAsOf } from '@market-spine/domains-finra';
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

const NAME = 'asof-lookup-5m';
/** Bump when the generated data changes: the cached file is keyed by it. */
const GENERATOR_VERSION = 'asof-lookup-5m/1';
const WEEKS = 340;
const CAPTURES_PER_WEEK = 3;
/** Days after the publication at which each capture is taken. */
const CAPTURE_DAYS = [0, 2, 9];
const LAST_WEEK_ENDING = '2025-11-28';
const MIN_VENUE_ROWS = 5_000_000;
const VENUE = 'finra_otc_transparency_weekly_symbol_venue_volume';
const EXECUTION_ID = 'exec_bench_asof_5m';
const CACHE_PREFIX = 'spine-bench-asof-5m-';
const MIN_FREE_BYTES = 6 * 1024 ** 3;

/** Per-row factor ×1000 (500–1500) of a capture; the SQL below computes the same. */
const factor = (capture, i) => 500 + ((capture.w * 7919 + i * 104729 + capture.r * 31337) % 1001);
const scaled = (value, f) => Math.floor((value * f + 999) / 1000);
/** A revision r > 0 leaves out the rows whose index is r mod 50. */
const keepsRow = (capture, i) => capture.r === 0 || i % 50 !== capture.r;

/** Every capture: three per week; every tenth week's last two share captured_at. */
function buildCaptures(samples) {
  const captures = [];
  for (let w = 0; w < WEEKS; w++) {
    const weekEnding = addDays(LAST_WEEK_ENDING, -7 * (WEEKS - 1 - w));
    const published = addDays(weekEnding, 31);
    for (let r = 0; r < CAPTURES_PER_WEEK; r++) {
      const tied = r === 2 && w % 10 === 0;
      const day = addDays(published, CAPTURE_DAYS[tied ? 1 : r]);
      captures.push({ w, r, s: w % 3, weekEnding, captureId: `cap_bench_${String(w).padStart(4, '0')}_${r}`, capturedAt: `${day}T14:00:00.000Z`, lastUpdate: addDays(published, CAPTURE_DAYS[r]), tied });
    }
  }
  const rows = captures.reduce((n, c) => n + samples[c.s].rows.filter((row) => keepsRow(c, row.i)).length, 0);
  return { captures, rows };
}

/** The capture of each week as known at `asOf`: the newest captured_at ≤ asOf, then the higher capture_id. */
function visibleCaptures(captures, asOf) {
  const byWeek = new Map();
  for (const c of captures) {
    if (c.capturedAt > asOf) continue;
    const best = byWeek.get(c.w);
    if (!best || c.capturedAt > best.capturedAt || (c.capturedAt === best.capturedAt && c.captureId > best.captureId)) byWeek.set(c.w, c);
  }
  return [...byWeek.values()];
}

/** Three symbols of different popularity (rows over the three samples), most popular first, and what each lookup returns. */
function lookups(samples, captures, instants) {
  const { levels } = popularityLevels(samples);
  // The most popular level, the middle one and the rarest; the middle symbol of each level in name order.
  const ranked = [...levels.keys()].sort((a, b) => b - a);
  const symbols = [ranked[0], ranked[Math.floor(ranked.length / 2)], ranked[ranked.length - 1]].map((n) => levels.get(n).sort()[Math.floor(levels.get(n).length / 2)]);
  const expected = {};
  for (const asOf of instants) {
    const visible = visibleCaptures(captures, asOf);
    for (const symbol of symbols) {
      let rows = 0;
      let shares = 0;
      for (const c of visible) {
        for (const r of samples[c.s].rows) {
          if (r.symbol !== symbol || !keepsRow(c, r.i)) continue;
          rows += 1;
          shares += scaled(r.shares, factor(c, r.i));
        }
      }
      expected[`${symbol}@${asOf}`] = { rows, shares, weeks: visible.length };
    }
  }
  return { symbols, expected };
}

// ---------------------------------------------------------------- the SQLite history (cached)

const SEED = `CREATE TEMP TABLE bench_seed (s INTEGER NOT NULL, i INTEGER NOT NULL, symbol TEXT NOT NULL, mpid TEXT NOT NULL, issue_name TEXT, venue_name TEXT, shares INTEGER NOT NULL, trades INTEGER NOT NULL, PRIMARY KEY (s, i));
CREATE TEMP TABLE bench_captures (w INTEGER NOT NULL, r INTEGER NOT NULL, s INTEGER NOT NULL, week_ending TEXT NOT NULL, capture_id TEXT NOT NULL, captured_at TEXT NOT NULL, last_update TEXT NOT NULL)`;
const VENUE_INSERT = `INSERT INTO ${VENUE} (week_ending, tier, symbol, mpid, issue_name, market_participant_name, total_volume, trade_count, source_last_update_date, calc_name, calc_version, capture_id, captured_at, execution_id, batch_id, calculated_at)
SELECT k.week_ending, 'OTC', d.symbol, d.mpid, d.issue_name, d.venue_name,
       (d.shares * (500 + (k.w * 7919 + d.i * 104729 + k.r * 31337) % 1001) + 999) / 1000,
       (d.trades * (500 + (k.w * 7919 + d.i * 104729 + k.r * 31337) % 1001) + 999) / 1000,
       k.last_update, 'weekly_symbol_venue_volume', 'v1', k.capture_id, k.captured_at, '${EXECUTION_ID}', NULL, k.captured_at
FROM bench_captures AS k JOIN bench_seed AS d ON d.s = k.s AND (k.r = 0 OR d.i % 50 <> k.r)`;

/** Builds the history into `path` (through `<path>.building`); returns the build's timings. */
async function build(path, samples, captures) {
  const building = `${path}.building`;
  removeDbFiles(building);
  const timings = {};
  const t0 = performance.now();
  const spine = await openSpineDb(building);
  try {
    const migrated = await new Migrator(spine, { sources: finraSources() }).migrate();
    if (migrated.status !== 'ok') throw new Error(`migration of the history failed: ${JSON.stringify(migrated)}`);
  } finally {
    await spine.close();
  }
  const db = new Database(building);
  try {
    // A fixture: no journal, no fsync, a large cache.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.exec(SEED);
    const insert = (table, rows) => {
      const statement = db.prepare(`INSERT INTO ${table} VALUES (${rows[0].map(() => '?').join(', ')})`);
      db.transaction(() => rows.forEach((row) => statement.run(row)))();
    };
    insert('bench_seed', samples.flatMap((sample, s) => sample.rows.map((r) => [s, r.i, r.symbol, r.mpid, r.issueName, r.venueName, r.shares, r.trades])));
    insert('bench_captures', captures.map((c) => [c.w, c.r, c.s, c.weekEnding, c.captureId, c.capturedAt, c.lastUpdate]));
    db.exec(`INSERT INTO finra_otc_transparency_captures (capture_id, week_ending, tier, week_ending_source, load_id, source_type, source_locator, source_sha256, source_bytes, source_format, source_last_update_date, lines_total, stage, captured_at, execution_id)
      SELECT capture_id, week_ending, 'OTC', 'derived', 'load_' || capture_id, 'file', 'synthetic', capture_id, 0, 'finra_website_export', last_update, 0, 'NORMALIZED', captured_at, '${EXECUTION_ID}' FROM bench_captures`);
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = '${VENUE}' ORDER BY name`).all();
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    let t = performance.now();
    db.exec(`BEGIN; ${VENUE_INSERT}; COMMIT;`);
    timings.venueMs = performance.now() - t;
    t = performance.now();
    for (const index of indexes) db.exec(index.sql);
    timings.indexesMs = performance.now() - t;
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
  return timings;
}

/** The cached history of this key (built when missing, stale keys removed), or null when there is no room for it. */
async function history(samples, captures) {
  return cachedFixture({
    prefix: CACHE_PREFIX,
    key: await finraHistoryKey(GENERATOR_VERSION, samples),
    minFreeBytes: MIN_FREE_BYTES,
    noRoom: (free) => printSkip(NAME, `building the history needs ${fmtBytes(MIN_FREE_BYTES)} in ${tmpdir()}, which has ${fmtBytes(free)}`),
    build: async (path) => {
      console.log(`${NAME}: building ${path} (once; reused while the generator, samples and migrations stay the same)…`);
      return { timingsMs: await build(path, samples, captures) };
    },
  });
}

// ---------------------------------------------------------------- the benchmark

async function run({ rounds, quick }) {
  if (quick) {
    printSkip(NAME, '--quick');
    return;
  }
  const samples = loadSamples();
  const { captures, rows } = buildCaptures(samples);
  if (rows < MIN_VENUE_ROWS) throw new Error(`the generator makes only ${rows} venue rows`);
  const middle = captures.find((c) => c.w === WEEKS / 2 && c.r === 1);
  const instants = [`${middle.capturedAt.slice(0, 11)}15:00:00.000Z`, `${addDays(LAST_WEEK_ENDING, 60)}T00:00:00.000Z`];
  const { symbols, expected } = lookups(samples, captures, instants);
  const cached = await history(samples, captures);
  if (cached === null) return;
  const db = await openSpineDb(cached.path);
  try {
    const counts = await rawQuery(db, `SELECT count(*) AS n, count(DISTINCT capture_id) AS captures FROM ${VENUE}`);
    if (Number(counts[0].n) !== rows || Number(counts[0].captures) !== captures.length) {
      throw new BenchFailure(`${cached.path} holds ${counts[0].n} rows of ${counts[0].captures} captures, the generator makes ${rows} of ${captures.length}; delete it to rebuild.`);
    }
    const measuredQuery = (symbol, asOf) => calcRowsAsOf(db, 'weekly_symbol_venue_volume', asOf).where('t.symbol', '=', symbol).selectAll('t');
    // The same SQL, the table read NOT INDEXED (a full scan; the correlated capture pick keeps its index).
    const fullScanSql = (compiled) => {
      const sql = compiled.sql.replace(`from "${VENUE}" as "t"`, `from "${VENUE}" as "t" NOT INDEXED`);
      if (sql === compiled.sql) throw new Error(`unexpected SQL of calcRowsAsOf: ${compiled.sql}`);
      return sql;
    };
    const sample = measuredQuery(symbols[0], instants[0]).compile();
    const plans = {
      index: sqlitePlanLines(await rawQuery(db, `EXPLAIN QUERY PLAN ${sample.sql}`, sample.parameters)),
      fullScan: sqlitePlanLines(await rawQuery(db, `EXPLAIN QUERY PLAN ${fullScanSql(sample)}`, sample.parameters)),
    };
    printBlock(`${NAME}: query plans (EXPLAIN QUERY PLAN)`, [
      `  as-of lookup (calcRowsAsOf):`,
      ...sample.sql.split('\n').map((l) => `    ${l.trim()}`),
      ...plans.index.map((l) => `      ${l}`),
      '  baseline, the table NOT INDEXED:',
      ...plans.fullScan.map((l) => `      ${l}`),
    ]);
    if (plans.index.some((l) => /^\s*SCAN /.test(l)) || !plans.fullScan.some((l) => /^\s*SCAN t\b/.test(l))) {
      throw new BenchFailure('the plans are not the ones compared (index: no SCAN; baseline: SCAN t); no result written.', plans);
    }

    const check = (name, symbol, asOf, result) => {
      const want = expected[`${symbol}@${asOf}`];
      const shares = result.reduce((sum, r) => sum + Number(r.total_volume), 0);
      if (result.length !== want.rows || shares !== want.shares) {
        throw new BenchFailure(`${name} of ${symbol} as of ${asOf} returned ${result.length} rows with ${shares} shares, expected ${want.rows} with ${want.shares}; no result written.`);
      }
    };
    // Round k of either contestant reads the same (symbol, instant): symbols round-robin, instants alternating.
    const lookupAt = (k) => ({ symbol: symbols[Math.floor(k / instants.length) % symbols.length], asOf: instants[k % instants.length] });
    const contestant = (name, lookup) => {
      let k = 0;
      return {
        name,
        run: async () => {
          const { symbol, asOf } = lookupAt(k++);
          const { ms, value } = await lookup(symbol, asOf);
          check(name, symbol, asOf, value);
          return { ms, symbol, asOf };
        },
      };
    };
    const contestants = [
      contestant('index', (symbol, asOf) => timed(() => measuredQuery(symbol, asOf).execute())),
      contestant('fullScan', (symbol, asOf) => {
        const compiled = measuredQuery(symbol, asOf).compile();
        const sql = fullScanSql(compiled);
        return timed(() => rawQuery(db, sql, compiled.parameters));
      }),
    ];
    const results = await alternatingRounds({ ...rounds, contestants });
    report({ rounds, cached, rows, captures, symbols, instants, expected, results, plans, sql: sample.sql });
  } finally {
    await db.close();
  }
}

function report({ rounds, cached, rows, captures, symbols, instants, expected, results, plans, sql }) {
  const samplesOf = (name) => results[name].map((r) => r.ms);
  const ratio = timeRatio(samplesOf('fullScan'), samplesOf('index'));
  const byLookup = (name) => {
    const out = {};
    for (const r of results[name]) (out[`${r.symbol}@${r.asOf}`] ??= []).push(r.ms);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, round(median(v), 3)]));
  };
  const file = writeResult(NAME, {
    runs: { ...rounds, order: ORDER_NOTE, lookupsPerRound: 'one per contestant, the same (symbol, instant); symbols round-robin, instants alternating' },
    input: {
      history: `${WEEKS} weeks of tier OTC up to ${LAST_WEEK_ENDING}, ${CAPTURES_PER_WEEK} captures per week (publication + 31 days, then +2 and +9 days; every tenth week's last two tied on captured_at), week w a copy of bundled sample w mod 3 with per-capture factors 0.5–1.5, revisions without 2 % of the rows`,
      venueRows: rows,
      captures: captures.length,
      tiedCaptures: captures.filter((c) => c.tied).length,
      instants,
      lookups: expected,
    },
    build: { path: cached.path, reused: cached.reused, builtAt: cached.meta.builtAt, timingsMs: roundAll(cached.meta.timingsMs) },
    query: sql,
    lookupsMs: { index: { ...sampleStats(samplesOf('index')), medianBySymbolAndInstant: byLookup('index') }, fullScan: { ...sampleStats(samplesOf('fullScan')), medianBySymbolAndInstant: byLookup('fullScan') } },
    ratio: { fullScanOverIndex: round(ratio.ratio, 1), pairedRatioMedian: round(ratio.pairedRatioMedian, 1) },
    ratioDefinition: 'full-scan median ms ÷ index median ms (how many times slower the same as-of lookup is without the index); paired: median of the per-round ratios',
    plans,
  });
  const index = byLookup('index');
  const full = byLookup('fullScan');
  printBlock(`${NAME} benchmark`, [
    `  history   ${fmtInt(rows)} venue rows, ${fmtInt(captures.length)} captures (${WEEKS} weeks × ${CAPTURES_PER_WEEK}, ${captures.filter((c) => c.tied).length} tied on captured_at), SQLite ${sqliteVersion()}`,
    `  build     ${cached.reused ? 'reused' : 'built'} ${cached.path} (built ${cached.meta.builtAt} in ${fmtS(cached.meta.timingsMs.totalMs)})`,
    `  instants  ${instants.join(', ')}`,
    `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured rounds, alternating`,
    '',
    statsHeader(26),
    statsLine('as-of by index', samplesOf('index'), 26),
    statsLine('same query, NOT INDEXED', samplesOf('fullScan'), 26),
    '',
    `  ratio     the full scan takes ${ratio.ratio.toFixed(1)}× the indexed lookup (paired ${ratio.pairedRatioMedian.toFixed(1)}×)`,
    '',
    '  median ms by symbol and instant',
    `    ${'symbol@instant'.padEnd(40)}${pad('rows', 7)}      ${pad('index', 9)} ${pad('full scan', 9)}`,
    ...symbols.flatMap((symbol) => instants.map((asOf) => `${symbol}@${asOf}`)).map((k) => `    ${k.padEnd(40)}${pad(fmtInt(expected[k].rows), 7)} rows ${pad(index[k] === undefined ? '-' : fmtMs(index[k]), 9)} ${pad(full[k] === undefined ? '-' : fmtMs(full[k]), 9)}`),
    '',
    `  result: ${file}`,
  ]);
}

export const asofLookup5m = { name: NAME, defaultRounds: { warmup: 2, measured: 16 }, run };
