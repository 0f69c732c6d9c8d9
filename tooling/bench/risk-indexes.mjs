// `risk-indexes`: the three v2 analytics indexes of the risk manager's state
// database (seed 004 phase 2, DB-SCHEMA-005; migration
// packages/spine-domains-risk/migrations/basic/0003_analytics_indexes.sql)
// against the same queries on the v1 schema without them, in the same process
// and run. Seed 002 claims the targeted queries get "10-100x" faster (failure
// analysis 25x, recent position updates 4x, account orders by state 6x) and
// that index maintenance costs writes "<1%"; this measures both.
//
// The database: a v1 state database (schema: 0001_v1_baseline.sql, run with
// better-sqlite3 `exec`) filled with synthetic rows from a seeded PRNG
// (mulberry32), in one transaction with prepared statements: 1,000,000
// enforcement_log rows (200 accounts, RULE-001…RULE-012 with their actions
// and reasons, 2-5 % failures per rule, strictly increasing timestamps over a
// year), 100,000 positions (updated_at spread over the year, unique) and
// 500,000 orders (200 accounts, 65 % FILLED, 30 % CANCELED, 3 % REJECTED, 1 %
// PARTIAL, 1 % ACTIVE). Timestamps are TEXT 'YYYY-MM-DD HH:MM:SS' (UTC), the
// form of the columns' CURRENT_TIMESTAMP defaults. The file is built once into
// $TMPDIR/spine-bench-riskdb-<key>.db (key: generator version, SQLite
// version, the 0001 file) and reused; every run copies it twice into its own
// temp dir: "v1" as it is, "v2" after the 0003 file (the three indexes,
// timed: the seed says phase 2 takes "<100ms"). Both copies are opened the
// same way (openBaselineDb: WAL, busy_timeout, foreign_keys) and must have the
// same pragmas; v2's schema must be v1's plus exactly the three indexes.
//
// Measured (better-sqlite3 prepared statements, prepared outside the timer;
// one call per contestant per round, v1 and v2 of a query in the same round
// with the same parameters):
//   failures         SELECT * FROM enforcement_log WHERE success = 0 ORDER BY timestamp DESC LIMIT 100
//   failuresSince    SELECT count(*) AS failures FROM enforcement_log WHERE success = 0 AND timestamp >= ?   (the last 30 days)
//   positionsRecent  SELECT * FROM positions ORDER BY updated_at DESC LIMIT 50
//   ordersActive     SELECT * FROM orders WHERE state = ? AND account_id = ?   (state 1 ACTIVE, accounts round-robin from a list of 10)
//   ordersFilled     the same with state 2 FILLED (a non-selective state, for contrast)
// twice: first on the databases as built (not analyzed: the product never runs
// ANALYZE on SQLite), then after ANALYZE of
// both (identical, untimed). Ratio per query: v1 median ÷ v2 median, the
// speed-up of v2. Then writes, each 10,000 statements in one transaction on
// both copies: enforcement_log inserts, position updates (size, price,
// updated_at) and order state changes; ratio v2 median ÷ v1 median, the
// overhead factor of the indexes (the seed: below 1.01).
//
// Checked (the benchmark fails otherwise, nothing asserts on timing): the
// copies hold the rows the build recorded; the v2 plan of every query uses its
// new index (EXPLAIN QUERY PLAN of each on both, recorded and printed, before
// and after ANALYZE); v1 and v2 return identical rows for every query and
// parameter (orders compared by id, the query has no ORDER BY), and every
// measured call the same number as that check; after the writes both copies
// hold the same rows in the three tables. Skipped with --quick.

import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  BenchFailure,
  ORDER_NOTE,
  alternatingRounds,
  assertSamePragmas,
  cachedFixture,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtS,
  freeBytes,
  median,
  openBaselineDb,
  pad,
  printBlock,
  printSkip,
  rawPragmas,
  removeDbFiles,
  round,
  roundAll,
  sampleStats,
  sqlitePlanLines,
  sqliteVersion,
  statsHeader,
  statsLine,
  timeRatio,
  writeResult,
} from './lib.mjs';

const NAME = 'risk-indexes';
/** Bump when the generated data changes: the cached base file is keyed by it. */
const GENERATOR_VERSION = 'risk-indexes/1';
const SEED = 20251022;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIGRATIONS = join(REPO_ROOT, 'packages', 'spine-domains-risk', 'migrations', 'basic');
const V1_SQL = join(MIGRATIONS, '0001_v1_baseline.sql');
const PHASE2_SQL = join(MIGRATIONS, '0003_analytics_indexes.sql');
/** The three indexes of seed 004 phase 2 (DB-SCHEMA-005); 0003 must create exactly these. */
const NEW_INDEXES = { idx_enforcement_log_success: 'enforcement_log', idx_positions_updated: 'positions', idx_orders_state_account: 'orders' };

// ---------------------------------------------------------------- the synthetic data

const ACCOUNTS = 200;
const FIRST_ACCOUNT = 1000;
const LOG_ROWS = 1_000_000;
const POSITIONS = 100_000;
const ORDERS = 500_000;
/** The year the rows span: 2024-10-23 up to 2025-10-22 (the seeds' date). */
const START_MS = Date.UTC(2024, 9, 23, 0, 0, 0);
const YEAR_S = 365 * 86_400;
const FIRST_POSITION_ID = 40_000_001;
const FIRST_ORDER_ID = 70_000_001;

/** OrderState of the seeds: ACTIVE=1, FILLED=2, CANCELED=3, REJECTED=4, PARTIAL=5, with the generated mix. */
const ORDER_STATES = [
  { state: 2, name: 'FILLED', p: 0.65 },
  { state: 3, name: 'CANCELED', p: 0.3 },
  { state: 4, name: 'REJECTED', p: 0.03 },
  { state: 5, name: 'PARTIAL', p: 0.01 },
  { state: 1, name: 'ACTIVE', p: 0.01 },
];
/** The contracts positions and orders are in, with a price level. */
const CONTRACTS = [
  ['CON.F.US.EP.Z25', 5900], ['CON.F.US.ENQ.Z25', 21000], ['CON.F.US.MES.Z25', 5900], ['CON.F.US.MNQ.Z25', 21000],
  ['CON.F.US.RTY.Z25', 2300], ['CON.F.US.M2K.Z25', 2300], ['CON.F.US.YM.Z25', 43000], ['CON.F.US.MYM.Z25', 43000],
  ['CON.F.US.GCE.Z25', 2700], ['CON.F.US.MGC.Z25', 2700], ['CON.F.US.CLE.Z25', 70], ['CON.F.US.MCLE.Z25', 70],
];
/**
 * The twelve rules of the risk manager: the action an enforcement takes, how
 * often the rule fires (weight) and fails (the broker call), and its reason.
 */
const RULES = [
  { name: 'MaxContracts', action: 'CLOSE_POSITION', weight: 14, fail: 0.03, reason: (r) => `Net contracts ${3 + Math.floor(r * 8)} exceed limit 5` },
  { name: 'MaxContractsPerInstrument', action: 'CLOSE_POSITION', weight: 12, fail: 0.03, reason: (r) => `Contracts in instrument ${2 + Math.floor(r * 6)} exceed limit 2` },
  { name: 'DailyRealizedLoss', action: 'CLOSE_ALL_AND_LOCKOUT', weight: 6, fail: 0.05, reason: (r) => `Daily realized P&L -${(500 + r * 1500).toFixed(2)} breached limit -500.00` },
  { name: 'DailyUnrealizedLoss', action: 'CLOSE_POSITION', weight: 8, fail: 0.04, reason: (r) => `Unrealized P&L -${(300 + r * 900).toFixed(2)} breached limit -300.00` },
  { name: 'MaxUnrealizedProfit', action: 'CLOSE_POSITION', weight: 5, fail: 0.04, reason: (r) => `Unrealized profit ${(1000 + r * 2000).toFixed(2)} reached target 1000.00` },
  { name: 'TradeFrequencyLimit', action: 'COOLDOWN', weight: 10, fail: 0.02, reason: (r) => `${4 + Math.floor(r * 6)} trades in 60 s exceed limit 3` },
  { name: 'CooldownAfterLoss', action: 'COOLDOWN', weight: 7, fail: 0.02, reason: (r) => `Loss of ${(100 + r * 400).toFixed(2)} on one trade: cooldown 300 s` },
  { name: 'NoStopLossGrace', action: 'CLOSE_POSITION', weight: 9, fail: 0.05, reason: (r) => `No stop loss within ${10 + Math.floor(r * 50)} s of entry` },
  { name: 'SessionBlockOutside', action: 'CLOSE_ALL_POSITIONS', weight: 6, fail: 0.03, reason: () => 'Position held outside the trading session' },
  { name: 'AuthLossGuard', action: 'LOCKOUT', weight: 3, fail: 0.02, reason: () => 'Broker reports trading disabled (canTrade = false)' },
  { name: 'SymbolBlocks', action: 'CANCEL_ORDER', weight: 8, fail: 0.03, reason: (r) => `Order in blocked symbol ${CONTRACTS[Math.floor(r * CONTRACTS.length)][0].split('.')[3]}` },
  { name: 'TradeManagement', action: 'MODIFY_STOP', weight: 12, fail: 0.04, reason: (r) => `Breakeven stop moved after ${(5 + r * 15).toFixed(1)} points of profit` },
].map((rule, i) => ({ ...rule, id: `RULE-${String(i + 1).padStart(3, '0')}` }));
const ERRORS = ['broker timeout after 5000 ms', 'HTTP 503 from broker API', 'order already filled', 'position not found', 'rate limited by broker (HTTP 429)'];

/** A small deterministic PRNG (mulberry32, as the risk package's v1 fixture), so every build makes the same rows. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** TEXT timestamp 'YYYY-MM-DD HH:MM:SS' (UTC) of `s` seconds after {@link START_MS}: the form of CURRENT_TIMESTAMP. */
const ts = (s) => new Date(START_MS + s * 1000).toISOString().replace('T', ' ').slice(0, 19);
/** An account with a mild skew: the low account ids are the busier traders. */
const skewedAccount = (r) => FIRST_ACCOUNT + Math.floor(ACCOUNTS * r ** 1.5);
const ruleCumulative = (() => {
  const total = RULES.reduce((n, rule) => n + rule.weight, 0);
  let acc = 0;
  return RULES.map((rule) => (acc += rule.weight / total));
})();
const pickRule = (r) => RULES[ruleCumulative.findIndex((c) => r < c)] ?? RULES.at(-1);
const pickState = (r) => {
  let acc = 0;
  for (const s of ORDER_STATES) if (r < (acc += s.p)) return s.state;
  return ORDER_STATES[0].state;
};
const price = (level, r) => Math.round(level * (0.9 + r * 0.2) * 4) / 4;

/** One enforcement_log row (without id) at second `s`. */
function logRow(random, s) {
  const rule = pickRule(random());
  const success = random() < rule.fail ? 0 : 1;
  const closes = rule.action.startsWith('CLOSE');
  const details = {
    positions_closed: closes && success ? 1 + Math.floor(random() * 3) : 0,
    orders_canceled: rule.action === 'CANCEL_ORDER' || rule.action === 'CLOSE_ALL_AND_LOCKOUT' ? Math.floor(random() * 4) : 0,
    error_message: success ? null : ERRORS[Math.floor(random() * ERRORS.length)],
  };
  const executionMs = success ? 20 + Math.floor(random() * 380) : 200 + Math.floor(random() * 4800);
  return [ts(s), skewedAccount(random()), rule.id, rule.action, rule.reason(random()), success, JSON.stringify(details), executionMs];
}

/** `n` strictly increasing whole seconds in [0, YEAR_S), random gaps (so timestamps are unique and every ORDER BY has one answer). */
function increasingSeconds(random, n) {
  const meanGap = YEAR_S / n;
  const out = new Array(n);
  let s = Math.floor(random() * meanGap);
  for (let i = 0; i < n; i++) {
    out[i] = s;
    s += 1 + Math.floor(random() * (2 * meanGap - 2));
  }
  if (out[n - 1] >= YEAR_S) throw new Error('the generated timestamps run past the year');
  return out;
}

const LOG_INSERT = 'INSERT INTO enforcement_log (timestamp, account_id, rule_id, action, reason, success, details, execution_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const POSITION_INSERT = 'INSERT INTO positions (id, account_id, contract_id, type, size, average_price, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const ORDER_INSERT = 'INSERT INTO orders (id, account_id, contract_id, type, side, size, limit_price, stop_price, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * Fills the three tables of an empty v1 database in one transaction, with
 * prepared statements. Returns the time each table took.
 */
function fillV1(db) {
  const random = prng(SEED);
  const timings = {};
  db.transaction(() => {
    let t = performance.now();
    const log = db.prepare(LOG_INSERT);
    for (const s of increasingSeconds(random, LOG_ROWS)) log.run(logRow(random, s));
    timings.enforcementLogMs = performance.now() - t;

    t = performance.now();
    // updated_at: unique seconds over the year, given to the positions in shuffled order (not id order).
    const updated = increasingSeconds(random, POSITIONS);
    for (let i = updated.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [updated[i], updated[j]] = [updated[j], updated[i]];
    }
    const position = db.prepare(POSITION_INSERT);
    for (let i = 0; i < POSITIONS; i++) {
      const [contract, level] = CONTRACTS[Math.floor(random() * CONTRACTS.length)];
      const created = Math.max(0, updated[i] - Math.floor(random() * 30 * 86_400));
      position.run(FIRST_POSITION_ID + i * 3 + Math.floor(random() * 3), skewedAccount(random()), contract, random() < 0.55 ? 1 : 2, 1 + Math.floor(random() * 10), price(level, random()), ts(created), ts(updated[i]));
    }
    timings.positionsMs = performance.now() - t;

    t = performance.now();
    const order = db.prepare(ORDER_INSERT);
    const created = increasingSeconds(random, ORDERS);
    for (let i = 0; i < ORDERS; i++) {
      const [contract, level] = CONTRACTS[Math.floor(random() * CONTRACTS.length)];
      const r = random();
      const type = r < 0.4 ? 1 : r < 0.75 ? 2 : r < 0.9 ? 3 : 4; // MARKET, LIMIT, STOP, STOP_LIMIT
      const p = price(level, random());
      const state = pickState(random());
      const updatedS = state === 1 ? created[i] : created[i] + Math.floor(random() * 900);
      order.run(FIRST_ORDER_ID + i, skewedAccount(random()), contract, type, random() < 0.5 ? 1 : 2, 1 + Math.floor(random() * 5), type === 2 || type === 4 ? p : null, type === 3 || type === 4 ? p - 5 : null, state, ts(created[i]), ts(updatedS));
    }
    timings.ordersMs = performance.now() - t;
  })();
  return timings;
}

/** What a copy must hold (read back after the build, stored with the cached file, checked in every run). */
function contents(db) {
  const one = (sql) => db.prepare(sql).get();
  return {
    enforcementLog: one('SELECT count(*) AS rows, sum(success = 0) AS failures, count(DISTINCT account_id) AS accounts, count(DISTINCT rule_id) AS rules, min(timestamp) AS first, max(timestamp) AS last, max(id) AS maxId FROM enforcement_log'),
    positions: one('SELECT count(*) AS rows, count(DISTINCT account_id) AS accounts, count(DISTINCT updated_at) AS distinctUpdatedAt, min(updated_at) AS first, max(updated_at) AS last, sum(size) AS sumSize FROM positions'),
    orders: one('SELECT count(*) AS rows, count(DISTINCT account_id) AS accounts, min(created_at) AS first, max(created_at) AS last FROM orders'),
    ordersByState: Object.fromEntries(db.prepare('SELECT state, count(*) AS n FROM orders GROUP BY state ORDER BY state').all().map((r) => [r.state, r.n])),
  };
}

// ---------------------------------------------------------------- the cached base file (v1)

/** Not `spine-bench-risk-indexes-`: that is the prefix of run.mjs's temp dirs of this benchmark. */
const CACHE_PREFIX = 'spine-bench-riskdb-';
/** Free space the temp dir needs to build the base file (~0.4 GB). */
const BUILD_FREE_BYTES = 2 * 1024 ** 3;

function cacheKey() {
  return createHash('sha256').update(GENERATOR_VERSION).update(sqliteVersion()).update(readFileSync(V1_SQL)).digest('hex').slice(0, 16);
}

/** Builds the v1 base file into `<path>.building` (journal off, synchronous off, 1 GiB cache: it is a fixture), then WAL, then renames it. */
function buildBase(path) {
  const building = `${path}.building`;
  removeDbFiles(building);
  const t0 = performance.now();
  const db = new Database(building);
  let timings;
  let held;
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.exec(readFileSync(V1_SQL, 'utf8'));
    timings = fillV1(db);
    held = contents(db);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  timings.totalMs = performance.now() - t0;
  renameSync(building, path);
  removeDbFiles(building);
  return { timings, contents: held };
}

/** The cached base file for this key (built when missing) with its build record; null (skipped) when there is no room. */
function baseFile() {
  return cachedFixture({
    prefix: CACHE_PREFIX,
    key: cacheKey(),
    minFreeBytes: BUILD_FREE_BYTES,
    noRoom: (free) => printSkip(NAME, `the base database must be built and ${tmpdir()} has only ${fmtBytes(free)} free, it needs ${fmtBytes(BUILD_FREE_BYTES)}`),
    build: (path) => {
      console.log(`${NAME}: building the v1 base database ${path} (once; reused while the generator, SQLite and 0001_v1_baseline.sql stay the same)…`);
      const built = buildBase(path);
      return { generatorVersion: GENERATOR_VERSION, bytes: statSync(path).size, ...built };
    },
  });
}

// ---------------------------------------------------------------- queries and plans

const ACTIVE = 1;
const FILLED = 2;
/** The accounts the orders queries read, round-robin: from the busiest to the quietest (the generator's skew). */
const QUERY_ACCOUNTS = Array.from({ length: 10 }, (_, i) => FIRST_ACCOUNT + i * 20);
const FAILURES_SINCE_DAYS = 30;

const QUERIES = {
  failures: { index: 'idx_enforcement_log_success', claim: 25, sql: 'SELECT * FROM enforcement_log WHERE success = 0 ORDER BY timestamp DESC LIMIT 100', params: () => [] },
  failuresSince: { index: 'idx_enforcement_log_success', claim: 25, sql: 'SELECT count(*) AS failures FROM enforcement_log WHERE success = 0 AND timestamp >= ?', params: (_, since) => [since] },
  positionsRecent: { index: 'idx_positions_updated', claim: 4, sql: 'SELECT * FROM positions ORDER BY updated_at DESC LIMIT 50', params: () => [] },
  ordersActive: { index: 'idx_orders_state_account', claim: 6, sql: 'SELECT * FROM orders WHERE state = ? AND account_id = ?', params: (account) => [ACTIVE, account], byAccount: true },
  ordersFilled: { index: 'idx_orders_state_account', claim: 6, sql: 'SELECT * FROM orders WHERE state = ? AND account_id = ?', params: (account) => [FILLED, account], byAccount: true },
};
const QUERY_NAMES = Object.keys(QUERIES);
/** The parameter sets a query runs with: one per account of the list, or one. */
const paramSets = (query, since) => (QUERIES[query].byAccount ? QUERY_ACCOUNTS : [null]).map((account) => QUERIES[query].params(account, since));
/** Rows as compared between v1 and v2: the orders queries have no ORDER BY, so by id. */
const comparable = (query, rows) => (QUERIES[query].byAccount ? [...rows].sort((a, b) => a.id - b.id) : rows);

/** The EXPLAIN QUERY PLAN of `sql` on `db`, as an indented tree. */
const planLines = (db, sql, params) => sqlitePlanLines(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params));

/** The plans of every query on both copies (the first parameter set), and the v2 plans that do not use their new index. */
function plansOf(dbs, since) {
  const plans = {};
  const missing = [];
  for (const query of QUERY_NAMES) {
    const params = paramSets(query, since)[0];
    plans[query] = { v1: planLines(dbs.v1, QUERIES[query].sql, params), v2: planLines(dbs.v2, QUERIES[query].sql, params) };
    if (!plans[query].v2.some((line) => new RegExp(`\\b${QUERIES[query].index}\\b`).test(line))) missing.push({ query, index: QUERIES[query].index, v2Plan: plans[query].v2 });
  }
  return { plans, missing };
}

/** Every query with every parameter set on both copies: identical rows, or a BenchFailure. Returns the row count per query and parameter set. */
function compareResults(dbs, since) {
  const counts = {};
  for (const query of QUERY_NAMES) {
    counts[query] = [];
    for (const params of paramSets(query, since)) {
      const v1 = comparable(query, dbs.v1.prepare(QUERIES[query].sql).all(params));
      const v2 = comparable(query, dbs.v2.prepare(QUERIES[query].sql).all(params));
      if (JSON.stringify(v1) !== JSON.stringify(v2)) {
        const at = v1.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(v2[i]));
        throw new BenchFailure(`${query} ${JSON.stringify(params)}: v1 and v2 return different rows; no result written.`, { v1Rows: v1.length, v2Rows: v2.length, firstDifference: { v1: v1[at], v2: v2[at] } });
      }
      counts[query].push(query === 'failuresSince' ? v1[0].failures : v1.length);
    }
  }
  return counts;
}

/** One query phase: alternating rounds of the five queries on both copies. */
async function queryRounds(dbs, since, counts, rounds) {
  const contestant = (query, version) => {
    const statement = dbs[version].prepare(QUERIES[query].sql);
    const sets = paramSets(query, since);
    let k = 0;
    return {
      name: `${query}.${version}`,
      run: () => {
        const i = k++ % sets.length;
        const start = performance.now();
        const rows = statement.all(sets[i]);
        const ms = performance.now() - start;
        const n = query === 'failuresSince' ? rows[0].failures : rows.length;
        if (n !== counts[query][i]) throw new BenchFailure(`${version} ${query} ${JSON.stringify(sets[i])} returned ${n} rows, ${counts[query][i]} before; no result written.`);
        return { ms, account: QUERIES[query].byAccount ? QUERY_ACCOUNTS[i] : null };
      },
    };
  };
  return alternatingRounds({ ...rounds, contestants: QUERY_NAMES.flatMap((q) => [contestant(q, 'v2'), contestant(q, 'v1')]) });
}

// ---------------------------------------------------------------- writes

const WRITE_BATCH = 10_000;
const WRITES = {
  logInsert: { table: 'enforcement_log', index: 'idx_enforcement_log_success', what: `INSERT of ${fmtInt(WRITE_BATCH)} enforcement_log rows (as generated: rules, 2-5 % failures), timestamps after every existing one` },
  positionUpdate: { table: 'positions', index: 'idx_positions_updated', what: `UPDATE positions SET size, average_price, updated_at (newer than every existing one) WHERE id = ? for ${fmtInt(WRITE_BATCH)} distinct random positions` },
  orderStateChange: { table: 'orders', index: 'idx_orders_state_account', what: `UPDATE orders SET state (another state of the mix), updated_at WHERE id = ? for ${fmtInt(WRITE_BATCH)} distinct random orders` },
};
const WRITE_NAMES = Object.keys(WRITES);

/**
 * The batches of round k, the same for both copies (made on first use,
 * outside the timer). The seconds continue after the generated year, so new
 * timestamps are the newest, as in a running system.
 */
function writeBatches(positionIds, orderIds) {
  const cache = new Map();
  return (k) => {
    if (cache.has(k)) return cache.get(k);
    const random = prng(SEED + 1 + k);
    let s = YEAR_S + k * WRITE_BATCH * 4;
    const distinct = (ids) => {
      const picked = new Set();
      while (picked.size < WRITE_BATCH) picked.add(ids[Math.floor(random() * ids.length)]);
      return [...picked];
    };
    const logInsert = Array.from({ length: WRITE_BATCH }, () => logRow(random, (s += 1 + Math.floor(random() * 3))));
    const positionUpdate = distinct(positionIds).map((id) => [1 + Math.floor(random() * 10), price(5900, random()), ts((s += 1)), id]);
    const orderStateChange = distinct(orderIds).map((id) => {
      return [pickState(random()), ts((s += 1)), id];
    });
    const batches = { logInsert, positionUpdate, orderStateChange };
    cache.set(k, batches);
    cache.delete(k - 2);
    return batches;
  };
}

const WRITE_SQL = {
  logInsert: LOG_INSERT,
  positionUpdate: 'UPDATE positions SET size = ?, average_price = ?, updated_at = ? WHERE id = ?',
  orderStateChange: 'UPDATE orders SET state = ?, updated_at = ? WHERE id = ?',
};

async function writeRounds(dbs, rounds) {
  const positionIds = dbs.v1.prepare('SELECT id FROM positions ORDER BY id').pluck().all();
  const orderIds = dbs.v1.prepare('SELECT id FROM orders ORDER BY id').pluck().all();
  const batchOf = writeBatches(positionIds, orderIds);
  const contestant = (write, version) => {
    const db = dbs[version];
    const statement = db.prepare(WRITE_SQL[write]);
    const apply = db.transaction((rows) => {
      let changes = 0;
      for (const row of rows) changes += statement.run(row).changes;
      return changes;
    });
    let k = 0;
    return {
      name: `${write}.${version}`,
      run: () => {
        const rows = batchOf(k++)[write];
        const start = performance.now();
        const changes = apply(rows);
        const ms = performance.now() - start;
        if (changes !== WRITE_BATCH) throw new BenchFailure(`${version} ${write} changed ${changes} rows, expected ${WRITE_BATCH}; no result written.`);
        return { ms };
      },
    };
  };
  return alternatingRounds({ ...rounds, contestants: WRITE_NAMES.flatMap((w) => [contestant(w, 'v2'), contestant(w, 'v1')]) });
}

/** A digest of every row of the three tables, to show both copies hold the same rows after the writes. */
function tableDigests(db) {
  const out = {};
  for (const table of ['enforcement_log', 'positions', 'orders']) {
    const hash = createHash('sha256');
    let rows = 0;
    for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw().iterate()) {
      hash.update(JSON.stringify(row));
      rows++;
    }
    out[table] = { rows, sha256: hash.digest('hex').slice(0, 16) };
  }
  return out;
}

// ---------------------------------------------------------------- the benchmark

/** Schema objects of a database, as `type name: sql`. */
const schemaOf = (db) => db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all().map((o) => `${o.type} ${o.name} ON ${o.tbl_name}: ${o.sql}`);

async function run({ rounds, tmp, quick }) {
  if (quick) {
    printSkip(NAME, '--quick (the 1.6-million-row database takes ~15 s to build on the first run, then two copies of it and ~1 minute of rounds every run)');
    return;
  }
  const phase2Sql = readFileSync(PHASE2_SQL, 'utf8');
  const created = [...phase2Sql.matchAll(/CREATE INDEX (?:IF NOT EXISTS )?(\w+) ON (\w+)/g)].map((m) => [m[1], m[2]]);
  if (JSON.stringify(Object.fromEntries(created)) !== JSON.stringify(NEW_INDEXES) || created.length !== 3) {
    throw new BenchFailure('0003_analytics_indexes.sql does not create the three indexes of seed 004 phase 2; no result written.', { creates: created, expected: NEW_INDEXES });
  }

  const base = await baseFile();
  if (base === null) return;
  const free = freeBytes(tmp);
  const needed = 2 * statSync(base.path).size + 512 * 1024 ** 2;
  if (free < needed) {
    printSkip(NAME, `the two copies need ${fmtBytes(needed)} in ${tmp}, which has ${fmtBytes(free)} free`);
    return;
  }

  // ------------------------------------------------------------ the two copies (untimed but for phase 2)
  let t = performance.now();
  const paths = { v1: join(tmp, 'state-v1.db'), v2: join(tmp, 'state-v2.db') };
  copyFileSync(base.path, paths.v1);
  copyFileSync(base.path, paths.v2);
  const copyMs = performance.now() - t;
  const dbs = { v1: openBaselineDb(paths.v1), v2: openBaselineDb(paths.v2) };
  try {
    for (const version of ['v1', 'v2']) {
      const held = contents(dbs[version]);
      if (JSON.stringify(held) !== JSON.stringify(base.meta.contents)) {
        throw new BenchFailure(`the ${version} copy of ${base.path} does not hold the rows its build recorded; delete it to rebuild.`, { held, recorded: base.meta.contents });
      }
    }
    t = performance.now();
    dbs.v2.transaction(() => dbs.v2.exec(phase2Sql)).immediate();
    const phase2Ms = performance.now() - t;
    const schemas = { v1: schemaOf(dbs.v1), v2: schemaOf(dbs.v2) };
    const added = schemas.v2.filter((o) => !schemas.v1.includes(o));
    const lost = schemas.v1.filter((o) => !schemas.v2.includes(o));
    if (lost.length > 0 || added.length !== 3 || !Object.entries(NEW_INDEXES).every(([index, table]) => added.some((o) => o.startsWith(`index ${index} ON ${table}:`)))) {
      throw new BenchFailure("v2's schema is not v1's plus the three phase-2 indexes; no result written.", { added, lost });
    }
    const pragmas = { v1: rawPragmas(dbs.v1), v2: rawPragmas(dbs.v2) };
    assertSamePragmas(pragmas.v2, pragmas.v1);

    const since = ts(Math.floor((Date.parse(`${base.meta.contents.enforcementLog.last.replace(' ', 'T')}Z`) - START_MS) / 1000) - FAILURES_SINCE_DAYS * 86_400);

    // ------------------------------------------------------------ not analyzed (the product's state)
    const before = plansOf(dbs, since);
    printPlans('not analyzed', before.plans, since);
    if (before.missing.length > 0) throw new BenchFailure('a v2 plan does not use its new index (not analyzed); no result written.', before.missing);
    const counts = compareResults(dbs, since);
    const plain = await queryRounds(dbs, since, counts, rounds);

    // ------------------------------------------------------------ after ANALYZE of both
    const analyzeMs = {};
    for (const version of ['v1', 'v2']) {
      t = performance.now();
      dbs[version].exec('ANALYZE');
      analyzeMs[version] = performance.now() - t;
    }
    const after = plansOf(dbs, since);
    printPlans('after ANALYZE', after.plans, since, before.plans);
    if (after.missing.length > 0) throw new BenchFailure('a v2 plan does not use its new index (after ANALYZE); no result written.', after.missing);
    const countsAfter = compareResults(dbs, since);
    if (JSON.stringify(countsAfter) !== JSON.stringify(counts)) throw new BenchFailure('the queries returned other row counts after ANALYZE; no result written.', { before: counts, after: countsAfter });
    const analyzed = await queryRounds(dbs, since, counts, rounds);

    // ------------------------------------------------------------ writes
    const writes = await writeRounds(dbs, rounds);
    const digests = { v1: tableDigests(dbs.v1), v2: tableDigests(dbs.v2) };
    const expectedLogRows = base.meta.contents.enforcementLog.rows + (rounds.warmup + rounds.measured) * WRITE_BATCH;
    if (JSON.stringify(digests.v1) !== JSON.stringify(digests.v2) || digests.v1.enforcement_log.rows !== expectedLogRows) {
      throw new BenchFailure('after the writes v1 and v2 do not hold the same rows; no result written.', { ...digests, expectedLogRows });
    }

    report({ rounds, base, copyMs, phase2Ms, phase2Sql, added, pragmas: pragmas.v1, since, counts, plain, analyzed, analyzeMs, plans: { notAnalyzed: before.plans, analyzed: after.plans }, writes, digests });
  } finally {
    dbs.v1.close();
    dbs.v2.close();
    removeDbFiles(paths.v1);
    removeDbFiles(paths.v2);
  }
}

function printPlans(label, plans, since, previous = null) {
  const lines = [];
  for (const query of QUERY_NAMES) {
    const params = paramSets(query, since)[0];
    const same = previous && JSON.stringify(previous[query]) === JSON.stringify(plans[query]);
    lines.push('', `  ${QUERIES[query].sql}   ${JSON.stringify(params)}${same ? '   (same plans as not analyzed)' : ''}`);
    if (!same) for (const version of ['v1', 'v2']) lines.push(...plans[query][version].map((l, i) => `    ${i === 0 ? version : '  '}  ${l}`));
  }
  printBlock(`${NAME}: EXPLAIN QUERY PLAN, ${label}`, lines.slice(1));
}

function report({ rounds, base, copyMs, phase2Ms, phase2Sql, added, pragmas, since, counts, plain, analyzed, analyzeMs, plans, writes, digests }) {
  const ms = (results, name) => results[name].map((r) => r.ms);
  const speedups = (results) =>
    Object.fromEntries(QUERY_NAMES.map((q) => {
      const r = timeRatio(ms(results, `${q}.v1`), ms(results, `${q}.v2`));
      const out = { v1: sampleStats(ms(results, `${q}.v1`)), v2: sampleStats(ms(results, `${q}.v2`)), speedup: round(r.ratio, 2), pairedSpeedupMedian: round(r.pairedRatioMedian, 2) };
      if (QUERIES[q].byAccount) out.byAccount = byAccount(results, q);
      return [q, out];
    }));
  /** Per account of the list: rows, v1 and v2 median ms, speed-up. */
  const byAccount = (results, q) =>
    Object.fromEntries(QUERY_ACCOUNTS.map((account, i) => {
      const of = (version) => results[`${q}.${version}`].filter((r) => r.account === account).map((r) => r.ms);
      const [v1, v2] = [of('v1'), of('v2')];
      if (v1.length === 0 || v2.length === 0) return [account, { rows: counts[q][i] }];
      return [account, { rows: counts[q][i], v1MedianMs: round(median(v1), 3), v2MedianMs: round(median(v2), 3), speedup: round(median(v1) / median(v2), 2) }];
    }));
  const overheads = Object.fromEntries(WRITE_NAMES.map((w) => {
    const r = timeRatio(ms(writes, `${w}.v2`), ms(writes, `${w}.v1`));
    return [w, { what: WRITES[w].what, maintainedNewIndex: WRITES[w].index, v1: sampleStats(ms(writes, `${w}.v1`)), v2: sampleStats(ms(writes, `${w}.v2`)), overhead: round(r.ratio, 3), pairedOverheadMedian: round(r.pairedRatioMedian, 3) }];
  }));
  const plainStats = speedups(plain);
  const analyzedStats = speedups(analyzed);
  const c = base.meta.contents;
  const build = base.meta.timings;
  const resultFile = writeResult(NAME, {
    runs: { ...rounds, order: ORDER_NOTE, phases: 'queries not analyzed, queries after ANALYZE of both, writes: each phase this many rounds', queriesPerRound: 'one call per query and copy; the orders queries round-robin over the accounts (both copies the same account in a round)' },
    pragmas,
    input: {
      generator: `${GENERATOR_VERSION}, mulberry32 seed ${SEED}; schema ${V1_SQL.slice(REPO_ROOT.length + 1)} run with better-sqlite3 exec; rows inserted in one transaction with prepared statements; timestamps TEXT 'YYYY-MM-DD HH:MM:SS' UTC, unique per table, over ${ts(0)} … ${ts(YEAR_S)}`,
      contents: c,
      orderStates: Object.fromEntries(ORDER_STATES.map((s) => [s.name, { state: s.state, share: s.p }])),
      rules: RULES.map((r) => ({ id: r.id, name: r.name, action: r.action, weight: r.weight, failureRate: r.fail })),
      queryAccounts: QUERY_ACCOUNTS,
      failuresSince: since,
      rowsReturned: Object.fromEntries(QUERY_NAMES.map((q) => [q, QUERIES[q].byAccount ? Object.fromEntries(QUERY_ACCOUNTS.map((a, i) => [a, counts[q][i]])) : counts[q][0]])),
    },
    build: { path: base.path, key: base.key, reused: base.reused, builtAt: base.meta.builtAt, bytes: base.meta.bytes, timingsMs: roundAll(build), copyBothMs: round(copyMs, 1) },
    phase2: { file: PHASE2_SQL.slice(REPO_ROOT.length + 1), sql: phase2Sql, indexes: added, applyMs: round(phase2Ms, 1), seedClaim: 'Phase 2 duration <100ms' },
    queries: Object.fromEntries(QUERY_NAMES.map((q) => [q, { sql: QUERIES[q].sql, newIndex: QUERIES[q].index, seedClaimSpeedup: QUERIES[q].claim, notAnalyzed: plainStats[q], analyzed: analyzedStats[q] }])),
    analyzeMs: roundAll(analyzeMs),
    writes: { batch: WRITE_BATCH, oneTransactionPerBatch: true, seedClaim: 'index maintenance overhead <1%', ...overheads },
    ratioDefinition: 'queries: speedup = v1 median ms ÷ v2 median ms (how many times faster v2 answers; the seed claims 25 / 4 / 6); writes: overhead = v2 median ms ÷ v1 median ms (1 = the indexes cost nothing; the seed claims < 1.01). paired*: median of the per-round ratios',
    checks: { v2PlansUseNewIndexes: true, v1AndV2ReturnIdenticalRows: true, tablesAfterWrites: digests.v1 },
    plans,
  });

  const accountLine = (stats, q) =>
    `    ${q} by account (rows: speed-up): ${Object.entries(stats[q].byAccount).map(([a, e]) => `${a} (${e.rows}): ${e.speedup === undefined ? '-' : `${e.speedup.toFixed(1)}×`}`).join(', ')}`;
  const queryLines = (stats) => [
    `  ${'query'.padEnd(17)}${pad('v1 median', 11)}${pad('v2 median', 11)}${pad('speed-up', 10)}${pad('paired', 8)}${pad('seed', 7)}   rows`,
    ...QUERY_NAMES.map((q) => {
      const rows = QUERIES[q].byAccount ? `${Math.min(...counts[q])}–${Math.max(...counts[q])} per account` : q === 'failuresSince' ? `count = ${fmtInt(counts[q][0])}` : String(counts[q][0]);
      return `  ${q.padEnd(17)}${pad(`${fmtMs(stats[q].v1.medianMs)} ms`, 11)}${pad(`${fmtMs(stats[q].v2.medianMs)} ms`, 11)}${pad(`${stats[q].speedup.toFixed(1)}×`, 10)}${pad(`${stats[q].pairedSpeedupMedian.toFixed(1)}×`, 8)}${pad(`${QUERIES[q].claim}×`, 7)}   ${rows}`;
    }),
    ...QUERY_NAMES.filter((q) => QUERIES[q].byAccount).map((q) => accountLine(stats, q)),
  ];
  const writeLine = (w) => statsLine(w, ms(writes, w), 24);
  printBlock(`${NAME} benchmark (risk state database v1 vs v2 phase 2 indexes)`, [
    `  data      enforcement_log ${fmtInt(c.enforcementLog.rows)} rows (${fmtInt(c.enforcementLog.failures)} failures, ${(100 * c.enforcementLog.failures / c.enforcementLog.rows).toFixed(2)} %; ${c.enforcementLog.accounts} accounts, ${c.enforcementLog.rules} rules, ${c.enforcementLog.first} … ${c.enforcementLog.last})`,
    `            positions ${fmtInt(c.positions.rows)} (updated_at ${c.positions.first} … ${c.positions.last}), orders ${fmtInt(c.orders.rows)} (${ORDER_STATES.map((s) => `${s.name} ${fmtInt(c.ordersByState[s.state] ?? 0)}`).join(', ')})`,
    `  build     ${base.reused ? `reused ${base.path} (built ${base.meta.builtAt} in ${fmtS(build.totalMs)}` : `built ${base.path} in ${fmtS(build.totalMs)}`}: enforcement_log ${fmtS(build.enforcementLogMs)}, positions ${fmtS(build.positionsMs)}, orders ${fmtS(build.ordersMs)}${base.reused ? ')' : ''}; ${fmtBytes(base.meta.bytes)}`,
    `            two copies ${fmtS(copyMs)}; phase 2 (0003_analytics_indexes.sql: 3 CREATE INDEX) on the v2 copy took ${fmtMs(phase2Ms)} ms (seed: <100 ms)`,
    `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured rounds per phase, alternating; better-sqlite3 prepared statements; journal_mode=${pragmas.journal_mode} synchronous=${pragmas.synchronous} on both; SQLite ${sqliteVersion()}`,
    '',
    '  queries, not analyzed (as the product leaves the database); speed-up = v1 median ÷ v2 median',
    ...queryLines(plainStats),
    '',
    `  queries after ANALYZE of both (ANALYZE took v1 ${fmtS(analyzeMs.v1)}, v2 ${fmtS(analyzeMs.v2)})`,
    ...queryLines(analyzedStats),
    `  (failuresSince: timestamp >= '${since}'; orders: accounts ${QUERY_ACCOUNTS[0]}, ${QUERY_ACCOUNTS[1]}, … ${QUERY_ACCOUNTS.at(-1)} round-robin)`,
    '',
    `  writes, ${fmtInt(WRITE_BATCH)} statements in one transaction; overhead = v2 median ÷ v1 median (seed: <1 %, i.e. < 1.01)`,
    statsHeader(24),
    ...WRITE_NAMES.flatMap((w) => [writeLine(`${w}.v1`), writeLine(`${w}.v2`), `    overhead ${overheads[w].overhead.toFixed(3)} (paired ${overheads[w].pairedOverheadMedian.toFixed(3)}): v2 takes ${((overheads[w].overhead - 1) * 100).toFixed(1)} % more`]),
    '',
    '  checks    v2 plans use the new indexes (before and after ANALYZE); v1 and v2 return identical rows for every query and parameter;',
    `            after the writes both copies hold the same rows (enforcement_log ${fmtInt(digests.v1.enforcement_log.rows)}, positions ${fmtInt(digests.v1.positions.rows)}, orders ${fmtInt(digests.v1.orders.rows)})`,
    '',
    `  result: ${resultFile}`,
  ]);
}

export const riskIndexes = { name: NAME, defaultRounds: { warmup: 5, measured: 31 }, run };
