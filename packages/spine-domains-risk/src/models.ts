import { z } from 'zod';
import { ErrorCode, SpineError } from '@market-spine/core';

/**
 * The risk manager's records as validated models (seed 004 phase 5, DB-SCHEMA-003/004):
 * enums, zod 4 schemas and their inferred types, and `parse*` functions that
 * throw one {@link SpineError} `VALIDATION_FAILED` naming every failing field.
 *
 * Units: prices in the contract's quote currency, P&L in the account's
 * currency, sizes and quantities in contracts (whole numbers), instants as
 * ISO-8601 UTC text. Instants are accepted with `Z` or a numeric offset
 * (`+02:00`) and always come out as `Date#toISOString()` text
 * (`2025-10-22T14:30:00.000Z`), so stored instants compare correctly as text.
 * Instants without a zone are refused: their meaning depends on the machine.
 *
 * Unknown fields are errors (a misspelt `filledSize` must not silently become
 * the default `filled_size = 0`), and optional fields are given or left out —
 * `null` is not "absent" (the row helpers in `rows.ts` do that mapping).
 */

// ---------------------------------------------------------------------------
// Enumerations (the integer codes the v1 database stores)
// ---------------------------------------------------------------------------

/** Order type. `TRAILING_STOP` is new in v2 (DB-SCHEMA-003). */
export const OrderType = { MARKET: 1, LIMIT: 2, STOP: 3, STOP_LIMIT: 4, TRAILING_STOP: 5 } as const;
/** One of {@link OrderType}'s codes. */
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** Order side. */
export const OrderSide = { BUY: 1, SELL: 2 } as const;
/** One of {@link OrderSide}'s codes. */
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

/** Order state. */
export const OrderState = { ACTIVE: 1, FILLED: 2, CANCELED: 3, REJECTED: 4, PARTIAL: 5 } as const;
/** One of {@link OrderState}'s codes. */
export type OrderState = (typeof OrderState)[keyof typeof OrderState];

/** Position direction (`positions.type`). */
export const PositionType = { LONG: 1, SHORT: 2 } as const;
/** One of {@link PositionType}'s codes. */
export type PositionType = (typeof PositionType)[keyof typeof PositionType];

/** The name of an enum code (`enumName(OrderType, 5)` → `'TRAILING_STOP'`), or undefined. */
export function enumName<E extends Record<string, number>>(enumeration: E, code: number): (keyof E & string) | undefined {
  return (Object.keys(enumeration) as (keyof E & string)[]).find((name) => enumeration[name] === code);
}

// ---------------------------------------------------------------------------
// Validation results
// ---------------------------------------------------------------------------

/** The models {@link SpineError} `VALIDATION_FAILED` can name. */
export type ModelName = 'Order' | 'Trade' | 'TradeRecord' | 'Quote' | 'Position' | 'EnforcementLog';

/** One failing field: `field` is the model's field name (`''` when the value is not an object at all). */
export interface ValidationIssue {
  readonly field: string;
  readonly message: string;
}

/** `details` of a `VALIDATION_FAILED` {@link SpineError} thrown by the `parse*` functions. */
export interface ValidationFailureDetails {
  readonly model: ModelName;
  readonly issues: readonly ValidationIssue[];
}

/** A clock: a fixed instant, or a function read at each validation. */
export type Clock = Date | (() => Date);

/** Options of the `parse*` functions and schema factories. */
export interface ParseOptions {
  /**
   * "Now" for the not-in-the-future rules (Trade.execution_time, Quote.timestamp);
   * default the system clock. To tolerate a broker clock running ahead, pass a
   * clock that runs ahead by the tolerance.
   */
  readonly now?: Clock;
}

/** A warning about a valid record (it is accepted; the caller decides what to do). */
export interface ModelWarning {
  readonly code: 'STALE_QUOTE';
  readonly field: string;
  readonly message: string;
}

/** Quotes older than this (milliseconds) are stale: a warning, not an error (DB-SCHEMA-004). */
export const QUOTE_STALE_AFTER_MS = 5_000;

// ---------------------------------------------------------------------------
// Field schemas
// ---------------------------------------------------------------------------

/** A value for a message: JSON where possible, shortened. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A type error message: "is required" when absent, else what was expected and what came. */
function expected(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `must be ${what} (got ${show(issue.input)})`);
}

const integer = () => z.int({ error: expected('an integer') });
const text = () => z.string({ error: expected('a string') }).min(1, { error: 'must not be empty' });
const finite = () => z.number({ error: expected('a finite number') });
/** A price: a finite number > 0. */
const price = () => finite().gt(0, { error: (issue) => `must be greater than 0 (got ${show(issue.input)})` });
/** A whole number of contracts > 0. */
const positiveSize = () => integer().gt(0, { error: (issue) => `must be greater than 0 (got ${show(issue.input)})` });
/** A whole number ≥ 0 (sizes, counts, milliseconds). */
const nonNegative = () => integer().gte(0, { error: (issue) => `must be 0 or more (got ${show(issue.input)})` });

/** An enum code, with the names in the message. */
function code<E extends Record<string, number>>(enumeration: E) {
  const values = Object.values(enumeration) as E[keyof E][];
  const names = Object.entries(enumeration)
    .map(([name, value]) => `${name} (${value})`)
    .join(', ');
  return z.literal(values, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${names} (got ${show(issue.input)})`) });
}

/**
 * An instant: ISO-8601 with `Z` or an offset, a real calendar date, seconds
 * required; normalised to `Date#toISOString()` (UTC, milliseconds).
 */
const instant = () =>
  z.iso
    .datetime({ offset: true, error: expected('an ISO-8601 UTC instant such as 2025-10-22T14:30:00.000Z') })
    .transform((value) => new Date(value).toISOString());

/**
 * One instant field: ISO-8601 with `Z` or an offset, normalised to
 * `Date#toISOString()`. For arguments such as a `since` bound.
 */
export const instantSchema = instant();

const boolean = () => z.boolean({ error: expected('true or false') });

/** Milliseconds since the epoch of a normalised instant, or undefined when the field did not parse. */
function millis(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function readClock(clock: Clock | undefined): Date {
  if (clock === undefined) return new Date();
  return typeof clock === 'function' ? clock() : clock;
}

/** Cross-field rules run even when single fields failed, so every failing field is named. */
const ALWAYS = { when: () => true } as const;

/** The value being refined, when it is an object (it may be partly invalid). */
function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Adds "must not be in the future" to `field` when it parsed and lies after `now`. */
function notInFuture(value: Record<string, unknown>, field: string, clock: Clock | undefined, ctx: z.RefinementCtx): void {
  const at = millis(value[field]);
  if (at === undefined) return;
  const now = readClock(clock);
  if (at > now.getTime()) {
    ctx.addIssue({ code: 'custom', path: [field], message: `must not be in the future (${String(value[field])} is after now, ${now.toISOString()})` });
  }
}

// ---------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------

/**
 * An order as the broker reports it (DB-SCHEMA-004). Prices in quote
 * currency, sizes in contracts.
 *
 * Rules: size > 0; 0 ≤ filled_size ≤ size; LIMIT needs limit_price;
 * STOP and TRAILING_STOP need stop_price; STOP_LIMIT needs both; every price
 * that is given (limit, stop, fill) is > 0; MARKET needs no price.
 *
 * `fill_price`, `filled_size` and `is_stop_loss` are not stored by the v1/v2
 * `orders` table (see `rows.ts`).
 */
export const orderSchema = z
  .strictObject({
    /** The broker's order id. */
    id: integer(),
    account_id: integer(),
    contract_id: text(),
    type: code(OrderType),
    side: code(OrderSide),
    /** Contracts ordered. */
    size: positiveSize(),
    state: code(OrderState),
    limit_price: price().optional(),
    stop_price: price().optional(),
    /** Average fill price, once (partly) filled. */
    fill_price: price().optional(),
    /** Contracts filled so far. */
    filled_size: nonNegative().default(0),
    created_at: instant(),
    updated_at: instant(),
    /** True for a protective stop attached to a position. */
    is_stop_loss: boolean().default(false),
  })
  .check(
    z.superRefine((value, ctx) => {
      const order = record(value);
      if (!order) return;
      const { type, size, filled_size: filled } = order;
      if (typeof size === 'number' && typeof filled === 'number' && Number.isInteger(size) && size > 0 && filled > size) {
        ctx.addIssue({ code: 'custom', path: ['filled_size'], message: `must not exceed size (filled ${filled} of ${size})` });
      }
      const typeName = typeof type === 'number' ? enumName(OrderType, type) : undefined;
      const needsLimit = type === OrderType.LIMIT || type === OrderType.STOP_LIMIT;
      const needsStop = type === OrderType.STOP || type === OrderType.STOP_LIMIT || type === OrderType.TRAILING_STOP;
      if (needsLimit && order.limit_price === undefined) {
        ctx.addIssue({ code: 'custom', path: ['limit_price'], message: `is required for ${typeName} orders` });
      }
      if (needsStop && order.stop_price === undefined) {
        ctx.addIssue({ code: 'custom', path: ['stop_price'], message: `is required for ${typeName} orders` });
      }
    }, ALWAYS),
  );

/** A valid order (defaults applied, instants normalised). */
export type Order = z.output<typeof orderSchema>;
/** What {@link parseOrder} accepts: `filled_size` and `is_stop_loss` may be left out. */
export type OrderInput = z.input<typeof orderSchema>;

// ---------------------------------------------------------------------------
// Trade
// ---------------------------------------------------------------------------

const tradeShape = z.strictObject({
  /** The broker's trade id. */
  id: integer(),
  account_id: integer(),
  contract_id: text(),
  /** Contracts traded. */
  quantity: positiveSize(),
  /**
   * Realised P&L in account currency; any sign. `null` for a trade that
   * realises nothing (the opening half of a round turn): v1's
   * `trade_history.pnl` is nullable for exactly that.
   */
  profit_and_loss: finite().nullable(),
  /** When the broker executed the trade; not in the future. */
  execution_time: instant(),
  entry_price: price().optional(),
  exit_price: price().optional(),
  /** When the risk manager received the trade. */
  timestamp: instant(),
});

/**
 * A trade schema whose "not in the future" rule reads `options.now`.
 * Rules: quantity > 0; entry/exit prices, when given, > 0; execution_time not
 * in the future; P&L of any sign (or null).
 */
export function createTradeSchema(options: ParseOptions = {}) {
  return tradeShape.check(
    z.superRefine((value, ctx) => {
      const trade = record(value);
      if (trade) notInFuture(trade, 'execution_time', options.now, ctx);
    }, ALWAYS),
  );
}

/** The trade schema on the system clock. */
export const tradeSchema = createTradeSchema();

/** A valid trade, the full model a daemon writes from (see `TradeRecord` for what is stored). */
export type Trade = z.output<typeof tradeSchema>;
/** What {@link parseTrade} accepts. */
export type TradeInput = z.input<typeof tradeSchema>;

/**
 * What v1/v2's `trade_history` holds of a trade: no broker trade id, quantity,
 * entry or exit price, and one instant. `id` is the `trade_history` row id
 * (not the broker's trade id); `execution_time` and `timestamp` are both the
 * stored `timestamp` (the execution time).
 */
export const tradeRecordSchema = z.strictObject({
  /** `trade_history.id` (autoincrement row id). */
  id: integer(),
  account_id: integer(),
  contract_id: text(),
  profit_and_loss: finite().nullable(),
  execution_time: instant(),
  timestamp: instant(),
});

/** A `trade_history` row as a model. */
export type TradeRecord = z.output<typeof tradeRecordSchema>;

// ---------------------------------------------------------------------------
// Quote
// ---------------------------------------------------------------------------

const quoteShape = z.strictObject({
  contract_id: text(),
  bid: price(),
  ask: price(),
  last: price(),
  /** When the quote was made; not in the future. Older than 5 s is stale (a warning, {@link quoteWarnings}). */
  timestamp: instant(),
});

/** A quote schema whose "not in the future" rule reads `options.now`. Rules: bid, ask, last > 0; ask ≥ bid. */
export function createQuoteSchema(options: ParseOptions = {}) {
  return quoteShape.check(
    z.superRefine((value, ctx) => {
      const quote = record(value);
      if (!quote) return;
      const { bid, ask } = quote;
      if (typeof bid === 'number' && typeof ask === 'number' && bid > 0 && ask > 0 && ask < bid) {
        ctx.addIssue({ code: 'custom', path: ['ask'], message: `must be greater than or equal to bid (ask ${ask} < bid ${bid})` });
      }
      notInFuture(quote, 'timestamp', options.now, ctx);
    }, ALWAYS),
  );
}

/** The quote schema on the system clock. */
export const quoteSchema = createQuoteSchema();

/** A valid quote (not stored: the state database has no quotes table). */
export type Quote = z.output<typeof quoteSchema>;
/** What {@link parseQuote} accepts. */
export type QuoteInput = z.input<typeof quoteSchema>;

/**
 * Warnings for a valid quote: `STALE_QUOTE` when it is older than
 * {@link QUOTE_STALE_AFTER_MS} at `now` (exactly 5 s old is not stale yet).
 */
export function quoteWarnings(quote: Quote, now: Clock = new Date()): ModelWarning[] {
  const at = readClock(now).getTime();
  const ageMs = at - Date.parse(quote.timestamp);
  if (ageMs <= QUOTE_STALE_AFTER_MS) return [];
  return [
    {
      code: 'STALE_QUOTE',
      field: 'timestamp',
      message: `quote for ${quote.contract_id} is stale: ${(ageMs / 1000).toFixed(1)} s old (more than ${QUOTE_STALE_AFTER_MS / 1000} s)`,
    },
  ];
}

// ---------------------------------------------------------------------------
// Position
// ---------------------------------------------------------------------------

/**
 * An open (or just closed, size 0) position: the v1 `positions` columns.
 * Rules: size ≥ 0; average_price > 0; updated_at ≥ created_at.
 */
export const positionSchema = z
  .strictObject({
    /** The broker's position id. */
    id: integer(),
    account_id: integer(),
    contract_id: text(),
    type: code(PositionType),
    /** Contracts held; 0 once closed. */
    size: nonNegative(),
    /** Average entry price in quote currency. */
    average_price: price(),
    created_at: instant(),
    updated_at: instant(),
  })
  .check(
    z.superRefine((value, ctx) => {
      const position = record(value);
      if (!position) return;
      const created = millis(position.created_at);
      const updated = millis(position.updated_at);
      if (created !== undefined && updated !== undefined && updated < created) {
        ctx.addIssue({
          code: 'custom',
          path: ['updated_at'],
          message: `must not be before created_at (${String(position.updated_at)} < ${String(position.created_at)})`,
        });
      }
    }, ALWAYS),
  );

/** A valid position. */
export type Position = z.output<typeof positionSchema>;
/** What {@link parsePosition} accepts. */
export type PositionInput = z.input<typeof positionSchema>;

// ---------------------------------------------------------------------------
// EnforcementLog
// ---------------------------------------------------------------------------

/**
 * One enforcement action (closing positions, cancelling orders, locking out)
 * and its outcome. `error_message`, `positions_closed` and `orders_canceled`
 * are stored in `enforcement_log.details` (JSON); `execution_time_ms` is new
 * in the v2 model (the column exists since v1).
 */
export const enforcementLogSchema = z.strictObject({
  /** `enforcement_log.id`; absent before the entry is stored. */
  id: integer().optional(),
  account_id: integer(),
  /** The rule that fired, e.g. `RULE-003`. */
  rule_id: text(),
  /** What was done, e.g. `CLOSE_ALL_AND_LOCKOUT`. */
  action: text(),
  /** Why, for people, e.g. `Daily loss limit hit: -550.00`. */
  reason: text(),
  success: boolean(),
  /** Why the action failed, when it did. */
  error_message: z.string({ error: expected('a string') }).optional(),
  /** Positions the action closed. */
  positions_closed: nonNegative(),
  /** Orders the action canceled. */
  orders_canceled: nonNegative(),
  /** When the action started. */
  timestamp: instant(),
  /** How long the action took, whole milliseconds. */
  execution_time_ms: nonNegative().optional(),
});

/** A valid enforcement log entry. */
export type EnforcementLog = z.output<typeof enforcementLogSchema>;
/** What {@link parseEnforcementLog} accepts. */
export type EnforcementLogInput = z.input<typeof enforcementLogSchema>;

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/**
 * The issues of a zod error as model fields and messages (unknown keys: one
 * issue per key). `input` is the value that was parsed, for the message when
 * it is not an object at all.
 */
export function validationIssues(model: ModelName, error: z.ZodError, input?: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ field: key, message: `is not a field of ${model}` });
      continue;
    }
    const field = issue.path.map(String).join('.');
    const message = field === '' && issue.code === 'invalid_type' ? `must be an object (got ${show(input)})` : issue.message;
    issues.push({ field, message });
  }
  return issues;
}

/** `Order.size: must be greater than 0 (got 0)`, or `Order: …` for the whole value. */
export function formatIssue(model: ModelName, issue: ValidationIssue): string {
  return issue.field === '' ? `${model}: ${issue.message}` : `${model}.${issue.field}: ${issue.message}`;
}

/**
 * The `VALIDATION_FAILED` error for `issues`: the message lists every
 * failing field as `<Model>.<field>: <message>`, joined by `; `.
 *
 * @param context prefixed to the message (e.g. which row was being read)
 * @param extraDetails merged into `details` after `model` and `issues`
 */
export function validationError(model: ModelName, issues: readonly ValidationIssue[], context?: string, extraDetails: Record<string, unknown> = {}): SpineError {
  const listed = issues.map((issue) => formatIssue(model, issue)).join('; ');
  return new SpineError(ErrorCode.VALIDATION_FAILED, context ? `${context}: ${listed}` : listed, {
    hint: `Correct the named field${issues.length === 1 ? '' : 's'} of the ${model}; nothing was written.`,
    details: { model, issues, ...extraDetails },
  });
}

/** Parses `input` with `schema` or throws {@link validationError}. */
export function parseModel<S extends z.ZodType>(model: ModelName, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(model, validationIssues(model, result.error, input));
}

/** A valid {@link Order} from `input`. @throws SpineError `VALIDATION_FAILED` naming every failing field */
export function parseOrder(input: unknown): Order {
  return parseModel('Order', orderSchema, input);
}

/**
 * A valid {@link Trade} from `input`; `options.now` is the clock of the
 * not-in-the-future rule. @throws SpineError `VALIDATION_FAILED` naming every failing field
 */
export function parseTrade(input: unknown, options: ParseOptions = {}): Trade {
  return parseModel('Trade', options.now === undefined ? tradeSchema : createTradeSchema(options), input);
}

/**
 * A valid {@link Quote} from `input`; `options.now` is the clock of the
 * not-in-the-future rule. A stale quote is valid: see {@link quoteWarnings}.
 * @throws SpineError `VALIDATION_FAILED` naming every failing field
 */
export function parseQuote(input: unknown, options: ParseOptions = {}): Quote {
  return parseModel('Quote', options.now === undefined ? quoteSchema : createQuoteSchema(options), input);
}

/** A valid {@link Position} from `input`. @throws SpineError `VALIDATION_FAILED` naming every failing field */
export function parsePosition(input: unknown): Position {
  return parseModel('Position', positionSchema, input);
}

/** A valid {@link EnforcementLog} from `input`. @throws SpineError `VALIDATION_FAILED` naming every failing field */
export function parseEnforcementLog(input: unknown): EnforcementLog {
  return parseModel('EnforcementLog', enforcementLogSchema, input);
}
