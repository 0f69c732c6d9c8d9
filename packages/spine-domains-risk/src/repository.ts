import { ErrorCode, SpineError, errorMessage } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { OrderState, instantSchema, parseEnforcementLog, parseOrder, parsePosition, parseTrade } from './models.js';
import type { EnforcementLog, EnforcementLogInput, Order, OrderInput, Position, PositionInput, TradeInput, TradeRecord } from './models.js';
import { enforcementLogFromRow, enforcementLogToRow, orderFromRow, orderToRow, positionFromRow, positionToRow, tradeFromRow, tradeToRow } from './rows.js';
import type { RiskTables } from './tables.js';

/** Options of a {@link RiskRepository}. */
export interface RiskRepositoryOptions {
  /**
   * The clock for "not in the future" (trades) and for the start instant of
   * {@link RiskRepository.enforce} when the entry gives none. Default the system clock.
   */
  readonly now?: () => Date;
}

/**
 * What {@link RiskRepository.enforce} needs before the action runs: the
 * entry without its outcome. `timestamp` defaults to the start of the action;
 * `positions_closed`/`orders_canceled` default to 0 (or come from `outcome`).
 */
export type EnforcementRequest = Omit<
  EnforcementLogInput,
  'id' | 'success' | 'error_message' | 'execution_time_ms' | 'timestamp' | 'positions_closed' | 'orders_canceled'
> & {
  readonly timestamp?: string;
  readonly positions_closed?: number;
  readonly orders_canceled?: number;
};

/** The counts an enforcement action reports (both optional). */
export interface EnforcementCounts {
  readonly positions_closed?: number;
  readonly orders_canceled?: number;
}

/** Options of {@link RiskRepository.enforce}. */
export interface EnforceOptions<T> {
  /** Counts taken from the action's result, over the request's (e.g. `(r) => ({ positions_closed: r.closed.length })`). */
  readonly outcome?: (result: T) => EnforcementCounts;
}

/** Whole milliseconds since `start` (a `performance.now()` reading). */
function elapsedMs(start: number): number {
  return Math.max(0, Math.round(performance.now() - start));
}

function invalidArgument(message: string): SpineError {
  return new SpineError(ErrorCode.INVALID_ARGUMENT, message);
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer of at least ${min} (got ${String(value)}).`);
  }
}

/** An instant argument (ISO text with zone, or a Date) as stored text. */
function instantArgument(name: string, value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidArgument(`${name} is an invalid Date.`);
    return value.toISOString();
  }
  const parsed = instantSchema.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${name} must be an ISO-8601 instant with Z or an offset (got ${JSON.stringify(value)}).`);
  return parsed.data;
}

/**
 * The typed API a risk daemon uses on its state database (v2 schema). Every
 * write is validated through its model first: invalid input throws
 * `VALIDATION_FAILED` naming every failing field and nothing is written.
 * Reads return models (see `rows.ts` for what the tables do not store).
 *
 * Instants are written as ISO-8601 UTC text; the time-ordered reads compare
 * and sort the stored text, which is exact for rows written here and may
 * misorder rows an older daemon wrote in another form (e.g. `CURRENT_TIMESTAMP`'s
 * `2025-10-22 14:30:00`).
 */
export class RiskRepository {
  readonly db: SpineDb<RiskTables>;
  private readonly clock: () => Date;

  /** @param db a state database migrated to v2 (`riskMigrationSource()`) */
  constructor(db: SpineDb<RiskTables>, options: RiskRepositoryOptions = {}) {
    this.db = db;
    this.clock = options.now ?? (() => new Date());
  }

  /**
   * Records a trade in `trade_history` (its execution time and P&L; quantity,
   * prices and the broker's id have no column) and returns the row id. The
   * same trade recorded twice gives two rows: the table has no broker id to
   * recognise it by.
   *
   * @throws SpineError `VALIDATION_FAILED` (nothing written)
   */
  async recordTrade(input: TradeInput): Promise<number> {
    const trade = parseTrade(input, { now: this.clock });
    const row = await this.db.kysely.insertInto('trade_history').values(tradeToRow(trade)).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * An account's trades executed at or after `since`, newest first (served by
   * `idx_trade_history_account_time`).
   */
  async tradesSince(accountId: number, since: string | Date): Promise<TradeRecord[]> {
    requireInteger('accountId', accountId, Number.MIN_SAFE_INTEGER);
    const from = instantArgument('since', since);
    const rows = await this.db.kysely
      .selectFrom('trade_history')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('timestamp', '>=', from)
      .orderBy('timestamp', 'desc')
      .execute();
    return rows.map(tradeFromRow);
  }

  /**
   * Inserts or updates an order by its broker id. An update keeps the stored
   * `created_at`. `fill_price`, `filled_size` and `is_stop_loss` are validated
   * but not stored (no columns in v1/v2).
   *
   * @throws SpineError `VALIDATION_FAILED` (nothing written)
   */
  async upsertOrder(input: OrderInput): Promise<void> {
    const order = parseOrder(input);
    await this.db.kysely
      .insertInto('orders')
      .values(orderToRow(order))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          account_id: eb.ref('excluded.account_id'),
          contract_id: eb.ref('excluded.contract_id'),
          type: eb.ref('excluded.type'),
          side: eb.ref('excluded.side'),
          size: eb.ref('excluded.size'),
          limit_price: eb.ref('excluded.limit_price'),
          stop_price: eb.ref('excluded.stop_price'),
          state: eb.ref('excluded.state'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  /**
   * Inserts or updates a position by its broker id
   * (`INSERT … ON CONFLICT(id) DO UPDATE`); an update keeps the stored `created_at`.
   *
   * @throws SpineError `VALIDATION_FAILED` (nothing written)
   */
  async upsertPosition(input: PositionInput): Promise<void> {
    const position = parsePosition(input);
    await this.db.kysely
      .insertInto('positions')
      .values(positionToRow(position))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          account_id: eb.ref('excluded.account_id'),
          contract_id: eb.ref('excluded.contract_id'),
          type: eb.ref('excluded.type'),
          size: eb.ref('excluded.size'),
          average_price: eb.ref('excluded.average_price'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  /**
   * Runs an enforcement `action`, measures it with `performance.now()` (whole
   * milliseconds, the action only — not the log write) and writes its
   * `enforcement_log` row: `success` 1 and the action's result returned, or —
   * when the action throws — `success` 0 with `error_message`, then the
   * action's error rethrown.
   *
   * The request is validated before the action runs: an invalid one throws
   * `VALIDATION_FAILED`, runs nothing and writes nothing. If the action fails
   * and its failure row cannot be written either, an `AggregateError` holding
   * both errors is thrown; if the action succeeds and the row cannot be
   * written, the write's error is thrown (the action's effects stand).
   *
   * @param entry who, which rule, what and why; `timestamp` defaults to the start
   * @param action the enforcement itself (close positions, cancel orders, lock out)
   * @param options `outcome`: counts taken from the action's result
   */
  async enforce<T>(entry: EnforcementRequest, action: () => Promise<T>, options: EnforceOptions<T> = {}): Promise<T> {
    const base = {
      ...entry,
      timestamp: entry.timestamp ?? this.clock().toISOString(),
      positions_closed: entry.positions_closed ?? 0,
      orders_canceled: entry.orders_canceled ?? 0,
    };
    parseEnforcementLog({ ...base, success: true });
    const start = performance.now();
    let result: T;
    try {
      result = await action();
    } catch (error) {
      const execution_time_ms = elapsedMs(start);
      try {
        await this.logEnforcement({ ...base, success: false, error_message: errorMessage(error), execution_time_ms });
      } catch (logError) {
        throw new AggregateError(
          [error, logError],
          `Enforcement ${entry.rule_id} ${entry.action} failed (${errorMessage(error)}) and its enforcement_log row could not be written (${errorMessage(logError)}).`,
        );
      }
      throw error;
    }
    const execution_time_ms = elapsedMs(start);
    const counts = options.outcome ? options.outcome(result) : {};
    await this.logEnforcement({ ...base, ...counts, success: true, execution_time_ms });
    return result;
  }

  /**
   * Writes an already-measured enforcement entry and returns its row id.
   *
   * @throws SpineError `VALIDATION_FAILED` (nothing written)
   */
  async logEnforcement(input: EnforcementLogInput): Promise<number> {
    const entry = parseEnforcementLog(input);
    const row = await this.db.kysely.insertInto('enforcement_log').values(enforcementLogToRow(entry)).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** An account's orders in one state, by order id (served by `idx_orders_state_account`). */
  async ordersByState(accountId: number, state: OrderState): Promise<Order[]> {
    requireInteger('accountId', accountId, Number.MIN_SAFE_INTEGER);
    if (!(Object.values(OrderState) as number[]).includes(state)) {
      throw invalidArgument(`state must be an OrderState code 1–5 (got ${String(state)}).`);
    }
    const rows = await this.db.kysely
      .selectFrom('orders')
      .selectAll()
      .where('state', '=', state)
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
    return rows.map(orderFromRow);
  }

  /** The `limit` most recently updated positions, newest first (served by `idx_positions_updated`). */
  async recentPositions(limit: number): Promise<Position[]> {
    requireInteger('limit', limit, 1);
    const rows = await this.db.kysely.selectFrom('positions').selectAll().orderBy('updated_at', 'desc').limit(limit).execute();
    return rows.map(positionFromRow);
  }

  /**
   * Failed enforcements (`success = 0`), newest first, at most `limit`, from
   * `since` on when given (served by `idx_enforcement_log_success`).
   */
  async failedEnforcements(limit: number, since?: string | Date): Promise<EnforcementLog[]> {
    requireInteger('limit', limit, 1);
    let query = this.db.kysely.selectFrom('enforcement_log').selectAll().where('success', '=', 0);
    if (since !== undefined) query = query.where('timestamp', '>=', instantArgument('since', since));
    const rows = await query.orderBy('timestamp', 'desc').limit(limit).execute();
    return rows.map(enforcementLogFromRow);
  }
}
