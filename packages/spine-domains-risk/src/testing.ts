import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { V1_TABLE_NAMES } from './schema-version.js';

/**
 * Test support (`@market-spine/domains-risk/testing`): a v1 state database
 * as the older risk manager made it, written only from
 * the facts of RISK_V1_SCHEMA.md — deliberately not from this package's
 * migration, so that adopting it tests the baseline against an independent
 * reading of the same facts (different spelling, same schema).
 */
const V1_DDL = `
CREATE TABLE lockouts (account_id INTEGER PRIMARY KEY, is_locked BOOLEAN DEFAULT 0, reason TEXT, locked_at DATETIME,
  locked_until DATETIME, rule_id TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_lockouts_until ON lockouts(locked_until);
CREATE TABLE daily_pnl (account_id INTEGER, date DATE, realized_pnl REAL DEFAULT 0, last_updated DATETIME DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (account_id, date));
CREATE INDEX idx_daily_pnl_date ON daily_pnl(date);
CREATE TABLE contract_cache (contract_id TEXT PRIMARY KEY, tick_size REAL, tick_value REAL, symbol_id TEXT, name TEXT,
  cached_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_contract_cache_symbol ON contract_cache(symbol_id);
CREATE TABLE trade_history (id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER, timestamp DATETIME, contract_id TEXT, pnl REAL,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_trade_history_account_time ON trade_history(account_id, timestamp DESC);
CREATE INDEX idx_trade_history_timestamp ON trade_history(timestamp);
CREATE TABLE session_state (account_id INTEGER PRIMARY KEY, session_start DATETIME, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE positions (id INTEGER PRIMARY KEY, account_id INTEGER, contract_id TEXT, type INTEGER, size INTEGER, average_price REAL,
  created_at DATETIME, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_positions_account ON positions(account_id);
CREATE INDEX idx_positions_contract ON positions(contract_id);
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER, contract_id TEXT, type INTEGER, side INTEGER, size INTEGER,
  limit_price REAL, stop_price REAL, state INTEGER, created_at DATETIME, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_orders_account ON orders(account_id);
CREATE INDEX idx_orders_contract ON orders(contract_id);
CREATE INDEX idx_orders_state ON orders(state);
CREATE TABLE enforcement_log (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
  account_id INTEGER NOT NULL, rule_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, success BOOLEAN DEFAULT 1,
  details TEXT, execution_time_ms INTEGER);
CREATE INDEX idx_enforcement_account ON enforcement_log(account_id);
CREATE INDEX idx_enforcement_timestamp ON enforcement_log(timestamp DESC);
CREATE INDEX idx_enforcement_rule ON enforcement_log(rule_id);
CREATE TABLE reset_schedule (account_id INTEGER PRIMARY KEY, last_reset_date DATE, next_reset_time DATETIME, reset_time_config TEXT,
  timezone TEXT);
`;

/** The nine v1 tables (seed 004 Phase 0 "Expected v1 Tables"). */
export const V1_TABLES = V1_TABLE_NAMES;

/** What {@link createV1Database} builds. */
export interface V1FixtureOptions {
  /** Rows per table (accounts, contracts, positions, orders, trades, log entries…). Default 2000. */
  readonly rows?: number;
  /** Add v1's minimal `schema_version(version INTEGER PRIMARY KEY, applied_at)` with the row version 1. */
  readonly minimalSchemaVersion?: boolean;
  /** Leave a WAL file beside the database, as a daemon that did not checkpoint would. Default false. */
  readonly journalWal?: boolean;
}

/** A small deterministic PRNG (mulberry32), so every run builds the same rows. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/**
 * Builds a v1 database at `path` (a new temp file by default) with `rows`
 * rows in every table and returns its path.
 */
export function createV1Database(options: V1FixtureOptions & { readonly path?: string } = {}): string {
  const path = options.path ?? join(mkdtempSync(join(tmpdir(), 'spine-risk-')), 'state.db');
  const rows = options.rows ?? 2000;
  const random = prng(20251022);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const start = Date.UTC(2025, 0, 2, 14, 30);
  const day = 86_400_000;
  const contracts = Array.from({ length: Math.max(1, Math.min(rows, 50)) }, (_, i) => `CON.F.US.${['EP', 'ENQ', 'MES', 'MNQ', 'GC'][i % 5]}.${String(i).padStart(3, '0')}`);
  const db = new Database(path);
  try {
    if (options.journalWal) db.pragma('journal_mode = WAL');
    db.exec(V1_DDL);
    if (options.minimalSchemaVersion) db.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at); INSERT INTO schema_version VALUES (1, '2025-01-01 00:00:00')");
    const insert = db.transaction(() => {
      const contract = db.prepare('INSERT INTO contract_cache (contract_id, tick_size, tick_value, symbol_id, name, cached_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const [i, id] of contracts.entries()) contract.run(id, 0.25, 12.5, id.split('.').slice(0, 4).join('.'), `Contract ${i}`, iso(start));
      const lockout = db.prepare('INSERT INTO lockouts (account_id, is_locked, reason, locked_at, locked_until, rule_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const pnl = db.prepare('INSERT INTO daily_pnl (account_id, date, realized_pnl, last_updated) VALUES (?, ?, ?, ?)');
      const trade = db.prepare('INSERT INTO trade_history (account_id, timestamp, contract_id, pnl, created_at) VALUES (?, ?, ?, ?, ?)');
      const session = db.prepare('INSERT INTO session_state (account_id, session_start, updated_at) VALUES (?, ?, ?)');
      const position = db.prepare('INSERT INTO positions (id, account_id, contract_id, type, size, average_price, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const order = db.prepare('INSERT INTO orders (id, account_id, contract_id, type, side, size, limit_price, stop_price, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const log = db.prepare('INSERT INTO enforcement_log (timestamp, account_id, rule_id, action, reason, success, details, execution_time_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const reset = db.prepare('INSERT INTO reset_schedule (account_id, last_reset_date, next_reset_time, reset_time_config, timezone) VALUES (?, ?, ?, ?, ?)');
      for (let i = 0; i < rows; i += 1) {
        const account = 1000 + i;
        const at = start + Math.floor(random() * 300) * day + Math.floor(random() * day);
        const locked = random() < 0.1;
        lockout.run(account, locked ? 1 : 0, locked ? 'Daily loss limit' : null, locked ? iso(at) : null, locked ? iso(at + day) : null, locked ? 'RULE-003' : null, iso(start), iso(at));
        pnl.run(1000 + (i % 40), new Date(start + Math.floor(i / 40) * day).toISOString().slice(0, 10), Math.round((random() - 0.45) * 200_000) / 100, iso(at));
        trade.run(1000 + (i % 40), iso(at), pick(contracts), random() < 0.05 ? null : Math.round((random() - 0.5) * 100_000) / 100, iso(at));
        session.run(account, iso(at - 3_600_000), iso(at));
        const type = random() < 0.5 ? 1 : 2;
        position.run(500_000 + i, 1000 + (i % 40), pick(contracts), type, 1 + Math.floor(random() * 10), 4000 + Math.round(random() * 100_000) / 100, iso(at - day), iso(at));
        const orderType = 1 + Math.floor(random() * 4);
        const price = 4000 + Math.round(random() * 100_000) / 100;
        order.run(900_000 + i, 1000 + (i % 40), pick(contracts), orderType, 1 + (i % 2), 1 + Math.floor(random() * 5), orderType === 2 || orderType === 4 ? price : null, orderType === 3 || orderType === 4 ? price - 5 : null, 1 + Math.floor(random() * 5), iso(at - 60_000), iso(at));
        const success = random() < 0.96 ? 1 : 0;
        log.run(iso(at), 1000 + (i % 40), `RULE-${String(1 + (i % 12)).padStart(3, '0')}`, pick(['CLOSE_ALL', 'CANCEL_ORDERS', 'LOCKOUT', 'ALERT']), 'limit breached', success, JSON.stringify({ positions_closed: i % 3, orders_canceled: i % 4, error_message: success ? null : 'broker timeout' }), Math.floor(random() * 400));
        reset.run(account, new Date(at).toISOString().slice(0, 10), iso(at + day), '17:00', 'America/Chicago');
      }
    });
    insert();
  } finally {
    db.close();
  }
  return path;
}

/** Every row of every v1 table, ordered by primary key, for row-by-row comparisons. */
export function v1Rows(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(V1_TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}
