import type { Generated } from 'kysely';

/**
 * Kysely row types of the risk manager's state database at v2: the nine v1
 * tables (RISK_V1_SCHEMA.md, migration 0001), `schema_version` (0002) and the
 * optional `daily_unrealized_pnl` (0004, feature `track_unrealized_pnl`).
 *
 * Types are what SQLite returns: INTEGER and REAL as `number`, BOOLEAN as
 * `0 | 1` in a `number`, DATE/DATETIME/TEXT as `string`. A column without
 * NOT NULL is `| null` (v1 declared few constraints). Defaulted and
 * autoincrement columns are `Generated<>` (optional on insert).
 *
 * Units: prices in the contract's quote currency; P&L and exposure in the
 * account's currency; sizes in contracts; durations in milliseconds; instants
 * ISO-8601 text — written by this package as UTC `2025-10-22T14:30:00.000Z`.
 * Column defaults (`CURRENT_TIMESTAMP`) produce SQLite's UTC form
 * `2025-10-22 14:30:00` instead, and a v1 daemon may have written other forms:
 * the read helpers (`rows.ts`) normalise both, but text comparisons in SQL see
 * the stored text. Dates are `YYYY-MM-DD`.
 *
 * Key columns are typed non-null. (SQLite accepts NULL in a PRIMARY KEY that
 * is not an INTEGER PRIMARY KEY, a legacy quirk; nothing here writes one.)
 */

/** `lockouts`: one row per account; `is_locked` 0/1; `locked_at`/`locked_until` instants; `rule_id` the rule that locked. */
export interface LockoutsTable {
  account_id: number;
  is_locked: Generated<number | null>;
  reason: string | null;
  locked_at: string | null;
  locked_until: string | null;
  rule_id: string | null;
  created_at: Generated<string | null>;
  updated_at: Generated<string | null>;
}

/** `daily_pnl`: realised P&L (account currency) per account and trading day (`date` YYYY-MM-DD). Kept 90 days in v1. */
export interface DailyPnlTable {
  account_id: number;
  date: string;
  realized_pnl: Generated<number | null>;
  last_updated: Generated<string | null>;
}

/** `contract_cache`: contract metadata; `tick_size` in quote currency (price step), `tick_value` in account currency per tick per contract. */
export interface ContractCacheTable {
  contract_id: string;
  tick_size: number | null;
  tick_value: number | null;
  symbol_id: string | null;
  name: string | null;
  cached_at: Generated<string | null>;
}

/**
 * `trade_history`: one row per trade; `timestamp` the execution instant, `pnl`
 * realised P&L in account currency (null when the trade realised none). No
 * quantity or prices: see `TradeRecord`. Kept 7 days in v1.
 */
export interface TradeHistoryTable {
  id: Generated<number>;
  account_id: number | null;
  timestamp: string | null;
  contract_id: string | null;
  pnl: number | null;
  created_at: Generated<string | null>;
}

/** `session_state`: when each account's trading session started (instant). */
export interface SessionStateTable {
  account_id: number;
  session_start: string | null;
  updated_at: Generated<string | null>;
}

/**
 * `positions`: open positions by the broker's position id; `type` 1 long,
 * 2 short (`PositionType`); `size` in contracts; `average_price` in quote
 * currency; `created_at`/`updated_at` instants.
 */
export interface PositionsTable {
  id: number;
  account_id: number | null;
  contract_id: string | null;
  type: number | null;
  size: number | null;
  average_price: number | null;
  created_at: string | null;
  updated_at: Generated<string | null>;
}

/**
 * `orders`: working and recent orders by the broker's order id; `type`,
 * `side`, `state` are `OrderType`/`OrderSide`/`OrderState` codes; `size` in
 * contracts; `limit_price`/`stop_price` in quote currency (null when the type
 * has none). Fill price, filled size and the stop-loss flag are not stored.
 */
export interface OrdersTable {
  id: number;
  account_id: number | null;
  contract_id: string | null;
  type: number | null;
  side: number | null;
  size: number | null;
  limit_price: number | null;
  stop_price: number | null;
  state: number | null;
  created_at: string | null;
  updated_at: Generated<string | null>;
}

/**
 * `enforcement_log`: every enforcement action; `timestamp` when it started;
 * `success` 0/1; `details` JSON text (`{ positions_closed, orders_canceled,
 * error_message? }` as this package writes it); `execution_time_ms` how long
 * it took in milliseconds (null when not measured). Kept 1 year in v1.
 */
export interface EnforcementLogTable {
  id: Generated<number>;
  timestamp: Generated<string | null>;
  account_id: number;
  rule_id: string;
  action: string;
  reason: string;
  success: Generated<number | null>;
  details: string | null;
  execution_time_ms: number | null;
}

/**
 * `reset_schedule`: daily reset per account; `last_reset_date` YYYY-MM-DD,
 * `next_reset_time` instant, `reset_time_config` wall-clock `HH:MM` in `timezone` (IANA name).
 */
export interface ResetScheduleTable {
  account_id: number;
  last_reset_date: string | null;
  next_reset_time: string | null;
  reset_time_config: string | null;
  timezone: string | null;
}

/**
 * `schema_version` (DB-SCHEMA-001): one row per schema version; `applied_at`
 * instant; `execution_time_ms` milliseconds; `success` 0/1. Informational —
 * the migration engine's ledger decides what is applied.
 */
export interface SchemaVersionTable {
  version: number;
  applied_at: string;
  description: string;
  migration_script: string | null;
  rollback_script: string | null;
  execution_time_ms: number | null;
  success: Generated<number>;
  error_message: string | null;
}

/**
 * `daily_unrealized_pnl` (DB-SCHEMA-002, optional): a snapshot per account and
 * day; `timestamp` the day YYYY-MM-DD; `unrealized_pnl` and `total_exposure`
 * in account currency; `positions_count` open positions. Present only while
 * the `track_unrealized_pnl` feature is on.
 */
export interface DailyUnrealizedPnlTable {
  account_id: number;
  timestamp: string;
  unrealized_pnl: number;
  positions_count: number;
  total_exposure: number | null;
  created_at: Generated<string | null>;
}

/** Every table of the v2 state database, by name. */
export interface RiskTables {
  lockouts: LockoutsTable;
  daily_pnl: DailyPnlTable;
  contract_cache: ContractCacheTable;
  trade_history: TradeHistoryTable;
  session_state: SessionStateTable;
  positions: PositionsTable;
  orders: OrdersTable;
  enforcement_log: EnforcementLogTable;
  reset_schedule: ResetScheduleTable;
  schema_version: SchemaVersionTable;
  daily_unrealized_pnl: DailyUnrealizedPnlTable;
}
