import type { Insertable, Selectable } from 'kysely';
import type { z } from 'zod';
import { enforcementLogSchema, orderSchema, positionSchema, tradeRecordSchema, validationError, validationIssues } from './models.js';
import type { EnforcementLog, ModelName, Order, Position, Trade, TradeRecord, ValidationIssue } from './models.js';
import type { EnforcementLogTable, OrdersTable, PositionsTable, TradeHistoryTable } from './tables.js';

/**
 * Mapping between table rows and models, both ways.
 *
 * Reads validate: a row becomes a model only when the model's rules hold
 * (without the clock-based "not in the future" rules, which belong to the
 * moment a record arrives). A row that does not — NULLs where v1 allowed
 * them, a size of 0 written by an old daemon — throws `VALIDATION_FAILED`
 * naming the table, the row's key and every failing field, rather than hand
 * a risk rule a record that breaks the model's promises.
 *
 * What the v1/v2 tables cannot hold, and so the models lose on a round trip:
 *
 * - **orders** has no `fill_price`, `filled_size` or `is_stop_loss` column: a
 *   read gives `filled_size: 0`, `is_stop_loss: false` and no `fill_price`,
 *   whatever was written. (Storing them needs a v3 migration.)
 * - **trade_history** holds account, contract, one instant and P&L only: the
 *   broker's trade id, `quantity`, `entry_price`, `exit_price` and the receipt
 *   `timestamp` of a {@link Trade} are not stored. Writes take the full, validated
 *   `Trade`; reads give a {@link TradeRecord} whose `id` is the row id and
 *   whose `execution_time` and `timestamp` are both the stored `timestamp`
 *   (the execution time). A `Trade` is never rebuilt from a row: it would need
 *   an invented quantity.
 * - **enforcement_log** keeps `error_message`, `positions_closed` and
 *   `orders_canceled` in the `details` JSON text:
 *   `{"positions_closed":2,"orders_canceled":1,"error_message":"…"}`
 *   (`error_message` only when there is one). On read, a NULL `details` (v1
 *   rows) means 0 closed, 0 canceled, no message; other keys are ignored.
 *
 * Instants: models carry `2025-10-22T14:30:00.000Z`. Stored text without a
 * zone — SQLite's `CURRENT_TIMESTAMP` form `2025-10-22 14:30:00`, or a naive
 * `2025-10-22T14:30:00.123456` — is read as UTC (SQLite's convention); text
 * with `Z` or an offset is converted to UTC.
 */

const STORED_INSTANT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Stored instant text in the form the models accept: a zone-less value is
 * taken as UTC and given `Z`, the space separator becomes `T`. Anything else
 * is returned unchanged for the model to judge.
 */
export function instantFromDb(value: string | null): string | null {
  if (value === null) return null;
  const match = STORED_INSTANT.exec(value.trim());
  if (!match) return value;
  return `${match[1]}T${match[2]}${match[3] ?? 'Z'}`;
}

/** A row's model, or `VALIDATION_FAILED` naming the table, the key and the failing fields. */
function fromRow<S extends z.ZodType>(model: ModelName, schema: S, input: unknown, table: string, key: Record<string, unknown>, extra: ValidationIssue[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success && extra.length === 0) return result.data;
  const issues = [...extra, ...(result.success ? [] : validationIssues(model, result.error, input))];
  const keyText = Object.entries(key)
    .map(([column, value]) => `${column}=${JSON.stringify(value)}`)
    .join(', ');
  throw validationError(model, issues, `${table} row ${keyText} is not a valid ${model}`, { table, key });
}

/** Adds `key: value` unless the stored value is NULL (optional model fields are left out, not null). */
function unlessNull<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---------------------------------------------------------------------------
// orders
// ---------------------------------------------------------------------------

/** An `orders` row as an {@link Order}: `filled_size` 0, `is_stop_loss` false, no `fill_price` (not stored). */
export function orderFromRow(row: Selectable<OrdersTable>): Order {
  const input = {
    id: row.id,
    account_id: row.account_id,
    contract_id: row.contract_id,
    type: row.type,
    side: row.side,
    size: row.size,
    state: row.state,
    ...unlessNull('limit_price', row.limit_price),
    ...unlessNull('stop_price', row.stop_price),
    created_at: instantFromDb(row.created_at),
    updated_at: instantFromDb(row.updated_at),
  };
  return fromRow('Order', orderSchema, input, 'orders', { id: row.id });
}

/** The `orders` row of a valid order (its `fill_price`, `filled_size`, `is_stop_loss` have no column). */
export function orderToRow(order: Order): Insertable<OrdersTable> {
  return {
    id: order.id,
    account_id: order.account_id,
    contract_id: order.contract_id,
    type: order.type,
    side: order.side,
    size: order.size,
    limit_price: order.limit_price ?? null,
    stop_price: order.stop_price ?? null,
    state: order.state,
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}

// ---------------------------------------------------------------------------
// trade_history
// ---------------------------------------------------------------------------

/** A `trade_history` row as a {@link TradeRecord} (`id` the row id; `execution_time` = `timestamp` = the stored instant). */
export function tradeFromRow(row: Selectable<TradeHistoryTable>): TradeRecord {
  const at = instantFromDb(row.timestamp);
  const input = {
    id: row.id,
    account_id: row.account_id,
    contract_id: row.contract_id,
    profit_and_loss: row.pnl,
    execution_time: at,
    timestamp: at,
  };
  return fromRow('TradeRecord', tradeRecordSchema, input, 'trade_history', { id: row.id });
}

/**
 * The `trade_history` row of a valid trade: `timestamp` is the execution
 * time, `pnl` the P&L; the id is assigned by the table. Not stored: the
 * broker's trade id, quantity, entry/exit prices, the receipt timestamp.
 */
export function tradeToRow(trade: Trade): Insertable<TradeHistoryTable> {
  return {
    account_id: trade.account_id,
    timestamp: trade.execution_time,
    contract_id: trade.contract_id,
    pnl: trade.profit_and_loss,
  };
}

// ---------------------------------------------------------------------------
// positions
// ---------------------------------------------------------------------------

/** A `positions` row as a {@link Position}. */
export function positionFromRow(row: Selectable<PositionsTable>): Position {
  const input = {
    id: row.id,
    account_id: row.account_id,
    contract_id: row.contract_id,
    type: row.type,
    size: row.size,
    average_price: row.average_price,
    created_at: instantFromDb(row.created_at),
    updated_at: instantFromDb(row.updated_at),
  };
  return fromRow('Position', positionSchema, input, 'positions', { id: row.id });
}

/** The `positions` row of a valid position. */
export function positionToRow(position: Position): Insertable<PositionsTable> {
  return {
    id: position.id,
    account_id: position.account_id,
    contract_id: position.contract_id,
    type: position.type,
    size: position.size,
    average_price: position.average_price,
    created_at: position.created_at,
    updated_at: position.updated_at,
  };
}

// ---------------------------------------------------------------------------
// enforcement_log
// ---------------------------------------------------------------------------

/** What `enforcement_log.details` holds (JSON) for the model's fields that have no column. */
export interface EnforcementDetails {
  readonly positions_closed: number;
  readonly orders_canceled: number;
  readonly error_message?: string;
}

/** The `details` JSON text of an entry: counts always, `error_message` when there is one. */
export function enforcementDetailsJson(entry: EnforcementLog): string {
  const details: EnforcementDetails = {
    positions_closed: entry.positions_closed,
    orders_canceled: entry.orders_canceled,
    ...(entry.error_message === undefined ? {} : { error_message: entry.error_message }),
  };
  return JSON.stringify(details);
}

/** Stored `details` as an object, or an issue on `details` when it is not a JSON object. */
function readDetails(details: string | null): { fields: Record<string, unknown>; issue?: ValidationIssue } {
  if (details === null) return { fields: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const shown = details.length > 60 ? `${details.slice(0, 57)}...` : details;
    return { fields: {}, issue: { field: 'details', message: `must be a JSON object (got ${JSON.stringify(shown)})` } };
  }
  return { fields: parsed as Record<string, unknown> };
}

/**
 * An `enforcement_log` row as an {@link EnforcementLog}: `success` 0/1 as a
 * boolean; counts and `error_message` from `details` (NULL details: 0, 0, none).
 */
export function enforcementLogFromRow(row: Selectable<EnforcementLogTable>): EnforcementLog {
  const { fields, issue } = readDetails(row.details);
  const input = {
    id: row.id,
    account_id: row.account_id,
    rule_id: row.rule_id,
    action: row.action,
    reason: row.reason,
    success: row.success === 1 ? true : row.success === 0 ? false : row.success,
    ...(fields.error_message === undefined || fields.error_message === null ? {} : { error_message: fields.error_message }),
    positions_closed: fields.positions_closed ?? 0,
    orders_canceled: fields.orders_canceled ?? 0,
    timestamp: instantFromDb(row.timestamp),
    ...unlessNull('execution_time_ms', row.execution_time_ms),
  };
  return fromRow('EnforcementLog', enforcementLogSchema, input, 'enforcement_log', { id: row.id }, issue ? [issue] : []);
}

/** The `enforcement_log` row of a valid entry (`id` only when the entry has one). */
export function enforcementLogToRow(entry: EnforcementLog): Insertable<EnforcementLogTable> {
  return {
    ...(entry.id === undefined ? {} : { id: entry.id }),
    timestamp: entry.timestamp,
    account_id: entry.account_id,
    rule_id: entry.rule_id,
    action: entry.action,
    reason: entry.reason,
    success: entry.success ? 1 : 0,
    details: enforcementDetailsJson(entry),
    execution_time_ms: entry.execution_time_ms ?? null,
  };
}
