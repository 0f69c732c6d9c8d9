import { describe, expect, expectTypeOf, it } from 'vitest';
import { ErrorCode, SpineError } from '@market-spine/core';
import {
  OrderSide,
  OrderState,
  OrderType,
  PositionType,
  QUOTE_STALE_AFTER_MS,
  enumName,
  orderSchema,
  parseEnforcementLog,
  parseOrder,
  parsePosition,
  parseQuote,
  parseTrade,
  quoteWarnings,
} from './models.js';
import type { EnforcementLog, Order, OrderInput, Position, Trade, ValidationFailureDetails, ValidationIssue } from './models.js';

const T0 = '2025-10-22T14:30:00.000Z';
const NOW = new Date('2025-10-22T14:30:10.000Z');
const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const order = (over: Record<string, unknown> = {}) => ({
  id: 1,
  account_id: 123,
  contract_id: 'CON.F.US.MNQ.U25',
  type: OrderType.LIMIT,
  side: OrderSide.BUY,
  size: 2,
  state: OrderState.ACTIVE,
  limit_price: 21000,
  created_at: T0,
  updated_at: T0,
  ...over,
});

const trade = (over: Record<string, unknown> = {}) => ({
  id: 101,
  account_id: 123,
  contract_id: 'CON.F.US.MNQ.U25',
  quantity: 2,
  profit_and_loss: 150,
  execution_time: T0,
  entry_price: 21000,
  exit_price: 21075,
  timestamp: T0,
  ...over,
});

const quote = (over: Record<string, unknown> = {}) => ({
  contract_id: 'CON.F.US.MNQ.U25',
  bid: 21000,
  ask: 21000.25,
  last: 21000.25,
  timestamp: NOW.toISOString(),
  ...over,
});

const position = (over: Record<string, unknown> = {}) => ({
  id: 7,
  account_id: 123,
  contract_id: 'CON.F.US.MNQ.U25',
  type: PositionType.LONG,
  size: 2,
  average_price: 21000,
  created_at: T0,
  updated_at: T0,
  ...over,
});

const entry = (over: Record<string, unknown> = {}) => ({
  account_id: 123,
  rule_id: 'RULE-003',
  action: 'CLOSE_ALL_AND_LOCKOUT',
  reason: 'Daily loss limit hit: -550.00',
  success: true,
  positions_closed: 2,
  orders_canceled: 1,
  timestamp: T0,
  ...over,
});

/** The SpineError `fn` throws (fails the test when it does not throw one). */
function failure(fn: () => unknown): SpineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpineError);
    return error as SpineError;
  }
  throw new Error('expected a VALIDATION_FAILED SpineError, nothing was thrown');
}

function issues(fn: () => unknown): readonly ValidationIssue[] {
  const error = failure(fn);
  expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
  return (error.details as unknown as ValidationFailureDetails).issues;
}

/** The failing fields of `fn`'s error. */
const fields = (fn: () => unknown) => issues(fn).map((issue) => issue.field);

/** The message of the issue on `field`. */
function messageOf(fn: () => unknown, field: string): string {
  const found = issues(fn).find((issue) => issue.field === field);
  expect(found, `an issue on ${field}`).toBeDefined();
  return found!.message;
}

describe('enums', () => {
  it('carry the seed 004 codes, TRAILING_STOP = 5 new in v2', () => {
    expect(OrderType).toEqual({ MARKET: 1, LIMIT: 2, STOP: 3, STOP_LIMIT: 4, TRAILING_STOP: 5 });
    expect(OrderSide).toEqual({ BUY: 1, SELL: 2 });
    expect(OrderState).toEqual({ ACTIVE: 1, FILLED: 2, CANCELED: 3, REJECTED: 4, PARTIAL: 5 });
    expect(PositionType).toEqual({ LONG: 1, SHORT: 2 });
    expect(enumName(OrderType, 5)).toBe('TRAILING_STOP');
    expect(enumName(OrderType, 9)).toBeUndefined();
  });

  it('type the model fields with the enum codes', () => {
    expectTypeOf<Order['type']>().toEqualTypeOf<OrderType>();
    expectTypeOf<Order['side']>().toEqualTypeOf<OrderSide>();
    expectTypeOf<Order['state']>().toEqualTypeOf<OrderState>();
    expectTypeOf<Position['type']>().toEqualTypeOf<PositionType>();
    expectTypeOf<Order['filled_size']>().toEqualTypeOf<number>();
    expectTypeOf<OrderInput['filled_size']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Trade['profit_and_loss']>().toEqualTypeOf<number | null>();
    expectTypeOf<EnforcementLog['execution_time_ms']>().toEqualTypeOf<number | undefined>();
  });
});

describe('validation errors', () => {
  it('are VALIDATION_FAILED SpineErrors whose message names <Model>.<field> and details list every issue', () => {
    const error = failure(() => parseOrder(order({ size: 0, limit_price: undefined, state: 9 })));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.message).toMatch(/^Order\.size: must be greater than 0 \(got 0\)/);
    expect(error.message).toContain('Order.state: must be one of ACTIVE (1), FILLED (2), CANCELED (3), REJECTED (4), PARTIAL (5) (got 9)');
    expect(error.message).toContain('Order.limit_price: is required for LIMIT orders');
    const details = error.details as unknown as ValidationFailureDetails;
    expect(details.model).toBe('Order');
    expect(details.issues.map((issue) => issue.field).sort()).toEqual(['limit_price', 'size', 'state']);
  });

  it('name every failing field even when one has the wrong type', () => {
    expect(fields(() => parseOrder(order({ size: 'two', type: OrderType.STOP })))).toEqual(expect.arrayContaining(['size', 'stop_price']));
  });

  it('say "is required" for a missing field and name unknown fields', () => {
    const { account_id: _dropped, ...withoutAccount } = order();
    expect(messageOf(() => parseOrder(withoutAccount), 'account_id')).toBe('is required');
    expect(messageOf(() => parseOrder(order({ filledSize: 1 })), 'filledSize')).toBe('is not a field of Order');
  });

  it('report a value that is not an object against the model', () => {
    const error = failure(() => parseTrade(42));
    expect(error.message).toBe('Trade: must be an object (got 42)');
  });
});

describe('Order (DB-SCHEMA-004)', () => {
  it('accepts a valid LIMIT order and applies the defaults filled_size = 0, is_stop_loss = false', () => {
    const parsed = parseOrder(order());
    expect(parsed.filled_size).toBe(0);
    expect(parsed.is_stop_loss).toBe(false);
    expect(parsed.fill_price).toBeUndefined();
    expect(orderSchema.safeParse(order()).success).toBe(true);
  });

  it('size > 0, whole contracts', () => {
    expect(parseOrder(order({ size: 1 })).size).toBe(1);
    expect(messageOf(() => parseOrder(order({ size: 0 })), 'size')).toBe('must be greater than 0 (got 0)');
    expect(fields(() => parseOrder(order({ size: -1 })))).toEqual(['size']);
    expect(messageOf(() => parseOrder(order({ size: 1.5 })), 'size')).toBe('must be an integer (got 1.5)');
  });

  it('0 ≤ filled_size ≤ size', () => {
    expect(parseOrder(order({ filled_size: 0 })).filled_size).toBe(0);
    expect(parseOrder(order({ size: 2, filled_size: 2, state: OrderState.FILLED })).filled_size).toBe(2);
    expect(messageOf(() => parseOrder(order({ size: 2, filled_size: 3 })), 'filled_size')).toBe('must not exceed size (filled 3 of 2)');
    expect(messageOf(() => parseOrder(order({ filled_size: -1 })), 'filled_size')).toBe('must be 0 or more (got -1)');
  });

  it('LIMIT needs limit_price > 0', () => {
    expect(messageOf(() => parseOrder(order({ limit_price: undefined })), 'limit_price')).toBe('is required for LIMIT orders');
    expect(messageOf(() => parseOrder(order({ limit_price: 0 })), 'limit_price')).toBe('must be greater than 0 (got 0)');
    expect(fields(() => parseOrder(order({ limit_price: -21000 })))).toEqual(['limit_price']);
    expect(parseOrder(order({ limit_price: 0.25 })).limit_price).toBe(0.25);
  });

  it('STOP needs stop_price > 0', () => {
    const stop = (over: Record<string, unknown>) => order({ type: OrderType.STOP, limit_price: undefined, ...over });
    expect(messageOf(() => parseOrder(stop({})), 'stop_price')).toBe('is required for STOP orders');
    expect(messageOf(() => parseOrder(stop({ stop_price: 0 })), 'stop_price')).toBe('must be greater than 0 (got 0)');
    expect(parseOrder(stop({ stop_price: 20990 })).stop_price).toBe(20990);
  });

  it('TRAILING_STOP (new in v2) is accepted with a stop_price > 0 and needs one', () => {
    const trailing = (over: Record<string, unknown>) => order({ type: OrderType.TRAILING_STOP, side: OrderSide.SELL, size: 1, limit_price: undefined, ...over });
    expect(parseOrder(trailing({ stop_price: 20990 })).type).toBe(OrderType.TRAILING_STOP);
    expect(messageOf(() => parseOrder(trailing({})), 'stop_price')).toBe('is required for TRAILING_STOP orders');
    expect(messageOf(() => parseOrder(trailing({ stop_price: -1 })), 'stop_price')).toBe('must be greater than 0 (got -1)');
  });

  it('STOP_LIMIT needs both prices > 0', () => {
    const stopLimit = (over: Record<string, unknown>) => order({ type: OrderType.STOP_LIMIT, limit_price: undefined, ...over });
    expect(fields(() => parseOrder(stopLimit({})))).toEqual(['limit_price', 'stop_price']);
    expect(fields(() => parseOrder(stopLimit({ limit_price: 21000 })))).toEqual(['stop_price']);
    expect(fields(() => parseOrder(stopLimit({ stop_price: 20990 })))).toEqual(['limit_price']);
    expect(fields(() => parseOrder(stopLimit({ limit_price: 0, stop_price: 20990 })))).toEqual(['limit_price']);
    expect(parseOrder(stopLimit({ limit_price: 21000, stop_price: 20990 })).type).toBe(OrderType.STOP_LIMIT);
  });

  it('MARKET needs no price', () => {
    const market = parseOrder(order({ type: OrderType.MARKET, limit_price: undefined }));
    expect(market.limit_price).toBeUndefined();
    expect(market.stop_price).toBeUndefined();
  });

  it('fill_price, when set, > 0', () => {
    expect(parseOrder(order({ fill_price: 21000.25, filled_size: 1, state: OrderState.PARTIAL })).fill_price).toBe(21000.25);
    expect(messageOf(() => parseOrder(order({ fill_price: 0 })), 'fill_price')).toBe('must be greater than 0 (got 0)');
    expect(fields(() => parseOrder(order({ fill_price: null })))).toEqual(['fill_price']);
  });

  it('type, side and state are enum codes', () => {
    expect(messageOf(() => parseOrder(order({ type: 6 })), 'type')).toBe(
      'must be one of MARKET (1), LIMIT (2), STOP (3), STOP_LIMIT (4), TRAILING_STOP (5) (got 6)',
    );
    expect(messageOf(() => parseOrder(order({ side: 3 })), 'side')).toBe('must be one of BUY (1), SELL (2) (got 3)');
    expect(fields(() => parseOrder(order({ state: 0 })))).toEqual(['state']);
    expect(parseOrder(order({ state: OrderState.PARTIAL, filled_size: 1 })).state).toBe(5);
  });

  it('instants are ISO-8601 with a zone, real dates, normalised to UTC milliseconds', () => {
    expect(parseOrder(order({ created_at: '2025-10-22T16:30:00+02:00', updated_at: '2025-10-22T14:30:00Z' }))).toMatchObject({
      created_at: T0,
      updated_at: T0,
    });
    expect(messageOf(() => parseOrder(order({ created_at: '2025-10-22T14:30:00' })), 'created_at')).toMatch(/^must be an ISO-8601 UTC instant/);
    expect(fields(() => parseOrder(order({ created_at: '2025-02-30T00:00:00Z' })))).toEqual(['created_at']);
    expect(fields(() => parseOrder(order({ updated_at: 'yesterday' })))).toEqual(['updated_at']);
    expect(fields(() => parseOrder(order({ updated_at: 1_761_143_400_000 })))).toEqual(['updated_at']);
  });

  it('is_stop_loss is a boolean', () => {
    expect(parseOrder(order({ is_stop_loss: true })).is_stop_loss).toBe(true);
    expect(messageOf(() => parseOrder(order({ is_stop_loss: 1 })), 'is_stop_loss')).toBe('must be true or false (got 1)');
  });
});

describe('Trade (DB-SCHEMA-004)', () => {
  const at = { now: NOW };

  it('accepts a valid trade', () => {
    expect(parseTrade(trade(), at)).toMatchObject({ quantity: 2, profit_and_loss: 150, execution_time: T0 });
  });

  it('quantity > 0', () => {
    expect(parseTrade(trade({ quantity: 1 }), at).quantity).toBe(1);
    expect(messageOf(() => parseTrade(trade({ quantity: 0 }), at), 'quantity')).toBe('must be greater than 0 (got 0)');
    expect(fields(() => parseTrade(trade({ quantity: -2 }), at))).toEqual(['quantity']);
  });

  it('entry and exit prices, when set, > 0', () => {
    expect(parseTrade(trade({ entry_price: undefined, exit_price: undefined }), at).entry_price).toBeUndefined();
    expect(parseTrade(trade({ entry_price: 0.25, exit_price: 0.25 }), at).exit_price).toBe(0.25);
    expect(messageOf(() => parseTrade(trade({ entry_price: -21000 }), at), 'entry_price')).toBe('must be greater than 0 (got -21000)');
    expect(fields(() => parseTrade(trade({ entry_price: 0, exit_price: 0 }), at))).toEqual(['entry_price', 'exit_price']);
  });

  it('execution_time not in the future of the injected clock (a Date or a function)', () => {
    expect(parseTrade(trade({ execution_time: NOW.toISOString() }), at).execution_time).toBe(NOW.toISOString());
    const future = plusMs(NOW.toISOString(), 1);
    expect(messageOf(() => parseTrade(trade({ execution_time: future }), at), 'execution_time')).toBe(
      `must not be in the future (${future} is after now, ${NOW.toISOString()})`,
    );
    expect(fields(() => parseTrade(trade({ execution_time: future }), { now: () => NOW }))).toEqual(['execution_time']);
    // A clock running 1 s ahead tolerates a broker clock 1 s ahead.
    expect(parseTrade(trade({ execution_time: future }), { now: () => new Date(NOW.getTime() + 1000) }).execution_time).toBe(future);
  });

  it('uses the system clock by default', () => {
    expect(fields(() => parseTrade(trade({ execution_time: '2999-01-01T00:00:00Z' })))).toEqual(['execution_time']);
    expect(parseTrade(trade()).execution_time).toBe(T0);
  });

  it('allows any P&L sign, and null for a trade that realises none', () => {
    for (const pnl of [-45.5, 0, 150, null]) expect(parseTrade(trade({ profit_and_loss: pnl }), at).profit_and_loss).toBe(pnl);
    expect(fields(() => parseTrade(trade({ profit_and_loss: Number.NaN }), at))).toEqual(['profit_and_loss']);
    expect(fields(() => parseTrade(trade({ profit_and_loss: Number.POSITIVE_INFINITY }), at))).toEqual(['profit_and_loss']);
  });
});

describe('Quote (DB-SCHEMA-004)', () => {
  const at = { now: NOW };

  it('bid, ask, last > 0', () => {
    expect(parseQuote(quote({ bid: 0.25, ask: 0.25, last: 0.25 }), at).bid).toBe(0.25);
    expect(messageOf(() => parseQuote(quote({ bid: 0 }), at), 'bid')).toBe('must be greater than 0 (got 0)');
    expect(fields(() => parseQuote(quote({ ask: -1 }), at))).toEqual(['ask']);
    expect(fields(() => parseQuote(quote({ last: 0 }), at))).toEqual(['last']);
  });

  it('ask ≥ bid', () => {
    expect(parseQuote(quote({ bid: 21000, ask: 21000 }), at).ask).toBe(21000);
    expect(messageOf(() => parseQuote(quote({ bid: 21000.25, ask: 21000 }), at), 'ask')).toBe(
      'must be greater than or equal to bid (ask 21000 < bid 21000.25)',
    );
  });

  it('timestamp not in the future', () => {
    expect(parseQuote(quote({ timestamp: NOW.toISOString() }), at).timestamp).toBe(NOW.toISOString());
    expect(fields(() => parseQuote(quote({ timestamp: plusMs(NOW.toISOString(), 1) }), at))).toEqual(['timestamp']);
  });

  it('older than 5 s is stale: a warning, not an error', () => {
    expect(QUOTE_STALE_AFTER_MS).toBe(5000);
    const fiveSeconds = parseQuote(quote({ timestamp: plusMs(NOW.toISOString(), -5000) }), at);
    expect(quoteWarnings(fiveSeconds, NOW)).toEqual([]);
    const stale = parseQuote(quote({ timestamp: plusMs(NOW.toISOString(), -7200) }), at);
    expect(quoteWarnings(stale, NOW)).toEqual([
      { code: 'STALE_QUOTE', field: 'timestamp', message: 'quote for CON.F.US.MNQ.U25 is stale: 7.2 s old (more than 5 s)' },
    ]);
    const justOver = parseQuote(quote({ timestamp: plusMs(NOW.toISOString(), -5001) }), at);
    expect(quoteWarnings(justOver, () => NOW).map((warning) => warning.code)).toEqual(['STALE_QUOTE']);
  });
});

describe('Position (DB-SCHEMA-004)', () => {
  it('size ≥ 0 (0 = closed)', () => {
    expect(parsePosition(position({ size: 0 })).size).toBe(0);
    expect(messageOf(() => parsePosition(position({ size: -1 })), 'size')).toBe('must be 0 or more (got -1)');
  });

  it('average_price > 0', () => {
    expect(parsePosition(position({ average_price: 0.25 })).average_price).toBe(0.25);
    expect(messageOf(() => parsePosition(position({ average_price: 0 })), 'average_price')).toBe('must be greater than 0 (got 0)');
  });

  it('updated_at ≥ created_at', () => {
    expect(parsePosition(position({ updated_at: T0 })).updated_at).toBe(T0);
    const earlier = plusMs(T0, -1);
    expect(messageOf(() => parsePosition(position({ updated_at: earlier })), 'updated_at')).toBe(`must not be before created_at (${earlier} < ${T0})`);
  });

  it('type is LONG or SHORT', () => {
    expect(parsePosition(position({ type: PositionType.SHORT })).type).toBe(2);
    expect(messageOf(() => parsePosition(position({ type: 3 })), 'type')).toBe('must be one of LONG (1), SHORT (2) (got 3)');
  });
});

describe('EnforcementLog', () => {
  it('accepts an entry with and without execution_time_ms (new in v2) and id', () => {
    expect(parseEnforcementLog(entry())).toEqual(entry());
    expect(parseEnforcementLog(entry({ id: 5, execution_time_ms: 145, success: false, error_message: 'timeout' }))).toMatchObject({
      id: 5,
      execution_time_ms: 145,
      error_message: 'timeout',
    });
    expect(parseEnforcementLog(entry({ execution_time_ms: 0, positions_closed: 0, orders_canceled: 0 })).execution_time_ms).toBe(0);
  });

  it('names the failing fields', () => {
    expect(fields(() => parseEnforcementLog(entry({ execution_time_ms: -1, positions_closed: -1, orders_canceled: 1.5, rule_id: '', success: 1 })))).toEqual([
      'rule_id',
      'success',
      'positions_closed',
      'orders_canceled',
      'execution_time_ms',
    ]);
    expect(messageOf(() => parseEnforcementLog(entry({ rule_id: '' })), 'rule_id')).toBe('must not be empty');
  });
});
