import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import type { KyselyPlugin } from 'kysely';
import { ErrorCode, Migrator, SpineError, openSpineDb } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { riskMigrationSource } from './migration-source.js';
import { OrderSide, OrderState, OrderType, PositionType } from './models.js';
import type { EnforcementLog, OrderInput, PositionInput, TradeInput } from './models.js';
import { RiskRepository } from './repository.js';
import { enforcementLogFromRow, instantFromDb } from './rows.js';
import type { RiskTables } from './tables.js';

const NOW = new Date('2025-10-22T15:00:00.000Z');
const T0 = '2025-10-22T14:30:00.000Z';
const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A v2 state database in memory (all four migrations, the optional table included). */
async function migratedDb(): Promise<SpineDb<RiskTables>> {
  const db = await openSpineDb<RiskTables>(':memory:');
  const result = await new Migrator(db, { sources: [riskMigrationSource()], features: { track_unrealized_pnl: true } }).migrate();
  if (result.status !== 'ok') throw new Error(`migration failed: ${JSON.stringify(result)}`);
  return db;
}

async function count(db: SpineDb<RiskTables>, table: 'orders' | 'positions' | 'trade_history' | 'enforcement_log'): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The VALIDATION_FAILED error `promise` rejects with. */
async function validationFailure(promise: Promise<unknown>): Promise<SpineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpineError);
  expect((error as SpineError).code).toBe(ErrorCode.VALIDATION_FAILED);
  return error as SpineError;
}

const order = (over: Partial<OrderInput> = {}): OrderInput => ({
  id: 9001,
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

const position = (over: Partial<PositionInput> = {}): PositionInput => ({
  id: 501,
  account_id: 123,
  contract_id: 'CON.F.US.MNQ.U25',
  type: PositionType.LONG,
  size: 2,
  average_price: 21000.5,
  created_at: T0,
  updated_at: T0,
  ...over,
});

const trade = (over: Partial<TradeInput> = {}): TradeInput => ({
  id: 77,
  account_id: 123,
  contract_id: 'CON.F.US.MNQ.U25',
  quantity: 2,
  profit_and_loss: -45.5,
  execution_time: T0,
  entry_price: 21000,
  exit_price: 20988.625,
  timestamp: plusMs(T0, 150),
  ...over,
});

const request = { account_id: 123, rule_id: 'RULE-003', action: 'CLOSE_ALL_AND_LOCKOUT', reason: 'Daily loss limit hit: -550.00' };

let db: SpineDb<RiskTables>;
let repo: RiskRepository;

beforeEach(async () => {
  db = await migratedDb();
  repo = new RiskRepository(db, { now: () => NOW });
});

afterEach(async () => {
  await db.close();
});

describe('trades', () => {
  it('recordTrade stores execution time, account, contract and P&L and returns the row id; tradesSince reads TradeRecords', async () => {
    const first = await repo.recordTrade(trade());
    const second = await repo.recordTrade(trade({ id: 78, execution_time: '2025-10-22T16:45:00+02:00', profit_and_loss: null }));
    expect(second).toBe(first + 1);
    const stored = await db.kysely.selectFrom('trade_history').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ account_id: 123, contract_id: 'CON.F.US.MNQ.U25', timestamp: T0, pnl: -45.5 });
    expect(await repo.tradesSince(123, '2025-10-22T00:00:00Z')).toEqual([
      { id: second, account_id: 123, contract_id: 'CON.F.US.MNQ.U25', profit_and_loss: null, execution_time: '2025-10-22T14:45:00.000Z', timestamp: '2025-10-22T14:45:00.000Z' },
      { id: first, account_id: 123, contract_id: 'CON.F.US.MNQ.U25', profit_and_loss: -45.5, execution_time: T0, timestamp: T0 },
    ]);
    expect(await repo.tradesSince(123, new Date('2025-10-22T14:40:00Z'))).toHaveLength(1);
    expect(await repo.tradesSince(124, '2025-10-22T00:00:00Z')).toEqual([]);
  });

  it('refuses an invalid trade (including one in the future of its clock) and writes nothing', async () => {
    const error = await validationFailure(repo.recordTrade(trade({ quantity: 0, execution_time: plusMs(NOW.toISOString(), 1) })));
    expect(error.message).toContain('Trade.quantity: must be greater than 0 (got 0)');
    expect(error.message).toContain('Trade.execution_time: must not be in the future');
    expect(await count(db, 'trade_history')).toBe(0);
  });
});

describe('orders', () => {
  it('upsertOrder round-trips through ordersByState; fill_price, filled_size, is_stop_loss are not stored', async () => {
    await repo.upsertOrder(order({ fill_price: 21000, filled_size: 1, is_stop_loss: true, state: OrderState.PARTIAL }));
    await repo.upsertOrder(order({ id: 9002, type: OrderType.TRAILING_STOP, side: OrderSide.SELL, limit_price: undefined, stop_price: 20990, state: OrderState.PARTIAL }));
    await repo.upsertOrder(order({ id: 9003, state: OrderState.FILLED }));
    await repo.upsertOrder(order({ id: 9004, account_id: 999, state: OrderState.PARTIAL }));
    const partial = await repo.ordersByState(123, OrderState.PARTIAL);
    expect(partial).toEqual([
      {
        id: 9001,
        account_id: 123,
        contract_id: 'CON.F.US.MNQ.U25',
        type: OrderType.LIMIT,
        side: OrderSide.BUY,
        size: 2,
        state: OrderState.PARTIAL,
        limit_price: 21000,
        filled_size: 0,
        is_stop_loss: false,
        created_at: T0,
        updated_at: T0,
      },
      {
        id: 9002,
        account_id: 123,
        contract_id: 'CON.F.US.MNQ.U25',
        type: OrderType.TRAILING_STOP,
        side: OrderSide.SELL,
        size: 2,
        state: OrderState.PARTIAL,
        stop_price: 20990,
        filled_size: 0,
        is_stop_loss: false,
        created_at: T0,
        updated_at: T0,
      },
    ]);
    expect((await repo.ordersByState(123, OrderState.FILLED)).map((o) => o.id)).toEqual([9003]);
  });

  it('an update changes the order and keeps created_at', async () => {
    await repo.upsertOrder(order());
    const later = plusMs(T0, 60_000);
    await repo.upsertOrder(order({ created_at: later, updated_at: later, state: OrderState.CANCELED, limit_price: 21001 }));
    expect(await repo.ordersByState(123, OrderState.ACTIVE)).toEqual([]);
    const [canceled] = await repo.ordersByState(123, OrderState.CANCELED);
    expect(canceled).toMatchObject({ id: 9001, limit_price: 21001, created_at: T0, updated_at: later });
    expect(await count(db, 'orders')).toBe(1);
  });

  it('refuses an invalid order and writes nothing', async () => {
    const error = await validationFailure(repo.upsertOrder(order({ limit_price: undefined })));
    expect(error.message).toBe('Order.limit_price: is required for LIMIT orders');
    expect(await count(db, 'orders')).toBe(0);
  });

  it('refuses bad read arguments', async () => {
    await expect(repo.ordersByState(123, 6 as OrderState)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(repo.ordersByState(1.5, OrderState.ACTIVE)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('a stored row that breaks the model is reported, naming table, key and field', async () => {
    await db.kysely
      .insertInto('orders')
      .values({ id: 1, account_id: 123, contract_id: 'X', type: OrderType.LIMIT, side: 1, size: 0, state: OrderState.ACTIVE, created_at: '2025-10-22 14:30:00' })
      .execute();
    const error = await validationFailure(repo.ordersByState(123, OrderState.ACTIVE));
    expect(error.message).toBe('orders row id=1 is not a valid Order: Order.size: must be greater than 0 (got 0); Order.limit_price: is required for LIMIT orders');
    expect(error.details).toMatchObject({ model: 'Order', table: 'orders', key: { id: 1 } });
  });
});

describe('positions', () => {
  it('upsertPosition round-trips through recentPositions, newest first, limited', async () => {
    await repo.upsertPosition(position({ id: 1, updated_at: plusMs(T0, 1000) }));
    await repo.upsertPosition(position({ id: 2, type: PositionType.SHORT, updated_at: plusMs(T0, 3000) }));
    await repo.upsertPosition(position({ id: 3, size: 0, updated_at: plusMs(T0, 2000) }));
    const recent = await repo.recentPositions(2);
    expect(recent.map((p) => p.id)).toEqual([2, 3]);
    expect(recent[0]).toEqual({
      id: 2,
      account_id: 123,
      contract_id: 'CON.F.US.MNQ.U25',
      type: PositionType.SHORT,
      size: 2,
      average_price: 21000.5,
      created_at: T0,
      updated_at: plusMs(T0, 3000),
    });
  });

  it('an update (ON CONFLICT(id) DO UPDATE) keeps created_at', async () => {
    await repo.upsertPosition(position());
    const later = plusMs(T0, 5000);
    await repo.upsertPosition(position({ size: 1, average_price: 21002, created_at: later, updated_at: later }));
    expect(await repo.recentPositions(10)).toEqual([expect.objectContaining({ id: 501, size: 1, average_price: 21002, created_at: T0, updated_at: later })]);
  });

  it('refuses an invalid position and writes nothing', async () => {
    const error = await validationFailure(repo.upsertPosition(position({ size: -1, updated_at: plusMs(T0, -1) })));
    expect(error.details).toMatchObject({ model: 'Position' });
    expect((error.details as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual(['size', 'updated_at']);
    expect(await count(db, 'positions')).toBe(0);
    await expect(repo.recentPositions(0)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('enforcement', () => {
  async function allEntries(): Promise<EnforcementLog[]> {
    const rows = await db.kysely.selectFrom('enforcement_log').selectAll().orderBy('id').execute();
    return rows.map(enforcementLogFromRow);
  }

  it('enforce() runs the action, measures it (≥ 15 ms for a ~20 ms action), logs success and returns the result', async () => {
    const result = await repo.enforce(
      request,
      async () => {
        await sleep(20);
        return { closed: [1, 2], canceled: [7] };
      },
      { outcome: (r) => ({ positions_closed: r.closed.length, orders_canceled: r.canceled.length }) },
    );
    expect(result).toEqual({ closed: [1, 2], canceled: [7] });
    const [logged] = await allEntries();
    expect(logged).toMatchObject({ ...request, success: true, positions_closed: 2, orders_canceled: 1, timestamp: NOW.toISOString() });
    expect(logged!.error_message).toBeUndefined();
    expect(Number.isInteger(logged!.execution_time_ms)).toBe(true);
    expect(logged!.execution_time_ms).toBeGreaterThanOrEqual(15);
    const raw = await db.kysely.selectFrom('enforcement_log').selectAll().executeTakeFirstOrThrow();
    expect(raw.success).toBe(1);
    expect(JSON.parse(raw.details!)).toEqual({ positions_closed: 2, orders_canceled: 1 });
  });

  it('enforce() records a failure (success 0, error_message, time) and rethrows the action error', async () => {
    const boom = new Error('broker rejected close: market closed');
    await expect(
      repo.enforce({ ...request, positions_closed: 1 }, async () => {
        await sleep(20);
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [logged] = await allEntries();
    expect(logged).toMatchObject({ success: false, error_message: 'broker rejected close: market closed', positions_closed: 1, orders_canceled: 0 });
    expect(logged!.execution_time_ms).toBeGreaterThanOrEqual(15);
    const raw = await db.kysely.selectFrom('enforcement_log').selectAll().executeTakeFirstOrThrow();
    expect(raw.success).toBe(0);
    expect(JSON.parse(raw.details!)).toEqual({ positions_closed: 1, orders_canceled: 0, error_message: 'broker rejected close: market closed' });
  });

  it('enforce() with an invalid request runs nothing and writes nothing', async () => {
    let ran = false;
    const error = await validationFailure(
      repo.enforce({ ...request, rule_id: '' }, async () => {
        ran = true;
      }),
    );
    expect(error.message).toBe('EnforcementLog.rule_id: must not be empty');
    expect(ran).toBe(false);
    expect(await count(db, 'enforcement_log')).toBe(0);
  });

  it('logEnforcement writes a measured entry and returns its id; failedEnforcements reads failures newest first, since', async () => {
    const ok = await repo.logEnforcement({ ...request, success: true, positions_closed: 1, orders_canceled: 0, timestamp: T0, execution_time_ms: 145 });
    const failedOld = await repo.logEnforcement({ ...request, success: false, error_message: 'timeout', positions_closed: 0, orders_canceled: 0, timestamp: plusMs(T0, 1000) });
    const failedNew = await repo.logEnforcement({ ...request, rule_id: 'RULE-001', success: false, positions_closed: 0, orders_canceled: 2, timestamp: plusMs(T0, 2000), execution_time_ms: 2500 });
    expect([ok, failedOld, failedNew]).toEqual([1, 2, 3]);
    const failed = await repo.failedEnforcements(10);
    expect(failed).toEqual([
      { id: failedNew, ...request, rule_id: 'RULE-001', success: false, positions_closed: 0, orders_canceled: 2, timestamp: plusMs(T0, 2000), execution_time_ms: 2500 },
      { id: failedOld, ...request, success: false, error_message: 'timeout', positions_closed: 0, orders_canceled: 0, timestamp: plusMs(T0, 1000) },
    ]);
    expect((await repo.failedEnforcements(1)).map((e) => e.id)).toEqual([failedNew]);
    expect((await repo.failedEnforcements(10, plusMs(T0, 1500))).map((e) => e.id)).toEqual([failedNew]);
    expect((await allEntries())[0]).toMatchObject({ id: ok, success: true, execution_time_ms: 145 });
  });

  it('refuses an invalid entry and writes nothing', async () => {
    await validationFailure(repo.logEnforcement({ ...request, success: true, positions_closed: -1, orders_canceled: 0, timestamp: T0 }));
    expect(await count(db, 'enforcement_log')).toBe(0);
  });

  it('reads v1 rows: NULL details, CURRENT_TIMESTAMP form, no execution time', async () => {
    await db.kysely.insertInto('enforcement_log').values({ account_id: 123, rule_id: 'RULE-003', action: 'CLOSE_ALL', reason: 'old', success: 0, timestamp: '2025-10-22 14:30:00' }).execute();
    expect(await repo.failedEnforcements(5)).toEqual([
      { id: 1, account_id: 123, rule_id: 'RULE-003', action: 'CLOSE_ALL', reason: 'old', success: false, positions_closed: 0, orders_canceled: 0, timestamp: T0 },
    ]);
    await db.kysely.updateTable('enforcement_log').set({ details: 'not json' }).execute();
    const error = await validationFailure(repo.failedEnforcements(5));
    expect(error.message).toBe('enforcement_log row id=1 is not a valid EnforcementLog: EnforcementLog.details: must be a JSON object (got "not json")');
  });
});

describe('instantFromDb', () => {
  it('reads zone-less stored text as UTC and leaves the rest to the model', () => {
    expect(instantFromDb('2025-10-22 14:30:00')).toBe('2025-10-22T14:30:00Z');
    expect(instantFromDb('2025-10-22T14:30:00.123456')).toBe('2025-10-22T14:30:00.123456Z');
    expect(instantFromDb('2025-10-22 16:30:00+02:00')).toBe('2025-10-22T16:30:00+02:00');
    expect(instantFromDb(T0)).toBe(T0);
    expect(instantFromDb(null)).toBeNull();
    expect(instantFromDb('yesterday')).toBe('yesterday');
  });
});

describe('the three reads use the v2 analytics indexes (EXPLAIN QUERY PLAN)', () => {
  /**
   * The repository on a view of `db` that records the SQL it runs, so the plan
   * checked is the plan of the repository's own query.
   */
  function recordingRepository(): { repo: RiskRepository; queries: CompiledQuery[] } {
    const queries: CompiledQuery[] = [];
    const recorder: KyselyPlugin = {
      transformQuery: (args) => {
        queries.push(db.kysely.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const recording = Object.create(db, { kysely: { value: db.kysely.withPlugin(recorder) } }) as SpineDb<RiskTables>;
    return { repo: new RiskRepository(recording, { now: () => NOW }), queries };
  }

  async function planOf(query: CompiledQuery): Promise<string> {
    const result = await db.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
    return result.rows.map((row) => row.detail).join('\n');
  }

  async function planOfLast(run: (r: RiskRepository) => Promise<unknown>): Promise<string> {
    const { repo: recordingRepo, queries } = recordingRepository();
    await run(recordingRepo);
    expect(queries).toHaveLength(1);
    return planOf(queries[0]!);
  }

  it('ordersByState → idx_orders_state_account', async () => {
    const plan = await planOfLast((r) => r.ordersByState(123, OrderState.ACTIVE));
    expect(plan).toContain('USING INDEX idx_orders_state_account (state=? AND account_id=?)');
  });

  it('recentPositions → idx_positions_updated', async () => {
    const plan = await planOfLast((r) => r.recentPositions(10));
    expect(plan).toContain('idx_positions_updated');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('failedEnforcements → idx_enforcement_log_success, with and without since', async () => {
    const plain = await planOfLast((r) => r.failedEnforcements(10));
    expect(plain).toContain('USING INDEX idx_enforcement_log_success (success=?)');
    expect(plain).not.toContain('TEMP B-TREE');
    const since = await planOfLast((r) => r.failedEnforcements(10, T0));
    expect(since).toContain('USING INDEX idx_enforcement_log_success (success=? AND timestamp>?)');
  });

  it('tradesSince → idx_trade_history_account_time (v1)', async () => {
    const plan = await planOfLast((r) => r.tradesSince(123, T0));
    expect(plan).toContain('USING INDEX idx_trade_history_account_time (account_id=? AND timestamp>?)');
  });
});
