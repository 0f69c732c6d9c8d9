import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpineDb } from '../../spine-db.js';
import type { SpineDb } from '../../spine-db.js';
import type { TableRebuildSpec } from '../types.js';
import { rebuildTable, rebuildTableInTransaction, setForeignKeys } from './sqlite-rebuild.js';


const opened: SpineDb[] = [];

async function open(target = ':memory:'): Promise<SpineDb> {
  const db = await openSpineDb(target);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function rows<T = Record<string, unknown>>(db: SpineDb, query: string): Promise<T[]> {
  return (await sql.raw<T>(query).execute(db.kysely)).rows;
}

async function value(db: SpineDb, query: string): Promise<unknown> {
  const [row] = await rows<Record<string, unknown>>(db, query);
  return row === undefined ? undefined : Object.values(row)[0];
}

async function expectIntact(db: SpineDb): Promise<void> {
  expect(await value(db, 'PRAGMA integrity_check')).toBe('ok');
  expect(await rows(db, 'PRAGMA foreign_key_check')).toEqual([]);
}

/** Everything that must not change when a rebuild fails. */
async function snapshot(db: SpineDb, tables: readonly string[]): Promise<unknown> {
  const schema = await rows(db, 'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid');
  const contents: Record<string, unknown> = {};
  for (const table of tables) contents[table] = await rows(db, `SELECT rowid AS rid, * FROM ${table} ORDER BY rowid`);
  return { schema, contents };
}

describe('rebuildTable', () => {
  it('changes a column type and adds a CHECK; rows, rowids, indexes, triggers and views survive and work', async () => {
    const db = await open();
    await db.executor().exec(`
      CREATE TABLE quotes (symbol TEXT NOT NULL, price TEXT, qty INTEGER);
      CREATE INDEX ix_quotes_symbol ON quotes (symbol);
      CREATE INDEX ix_quotes_big ON quotes (qty) WHERE qty > 100;
      CREATE TABLE audit (symbol TEXT, at TEXT);
      CREATE TRIGGER tr_quotes_audit AFTER INSERT ON quotes BEGIN INSERT INTO audit VALUES (new.symbol, 'insert'); END;
      CREATE VIEW v_notional AS SELECT symbol, price * qty AS notional FROM quotes;
      CREATE VIEW v_big AS SELECT symbol FROM v_notional WHERE notional > 1000;
      CREATE TABLE inbox (symbol TEXT);
      CREATE TRIGGER tr_inbox AFTER INSERT ON inbox BEGIN INSERT INTO quotes (symbol, price, qty) VALUES (new.symbol, '1', 1); END;
      INSERT INTO quotes VALUES ('AAPL', '10.5', 50), ('MSFT', '20', 200), ('GONE', '1', 1), ('TSLA', '30.25', 300);
      DELETE FROM quotes WHERE symbol = 'GONE';
      DELETE FROM audit;
    `);
    const before = await rows(db, 'SELECT rowid AS rid, symbol, price, qty FROM quotes ORDER BY rowid');

    const report = await rebuildTable(db, {
      table: 'quotes',
      createTableSql: 'CREATE TABLE quotes (symbol TEXT NOT NULL, price REAL CHECK (price >= 0), qty INTEGER);',
      columnExpressions: { price: 'CAST(price AS REAL)' },
    });

    expect(report).toEqual({
      table: 'quotes',
      rowsCopied: 3,
      droppedColumns: [],
      addedColumns: [],
      recreated: { indexes: ['ix_quotes_symbol', 'ix_quotes_big'], triggers: ['tr_quotes_audit', 'tr_inbox'], views: ['v_notional', 'v_big'] },
    });
    const after = await rows(db, 'SELECT rowid AS rid, symbol, price, qty, typeof(price) AS t FROM quotes ORDER BY rowid');
    expect(after).toEqual(before.map((row) => ({ ...row, price: Number((row as { price: string }).price), t: 'real' })));
    expect(after.map((row) => row.rid)).toEqual([1, 2, 4]);

    // Indexes are back, the partial one with its WHERE; INDEXED BY fails unless the index exists and serves the query.
    expect(await value(db, "SELECT sql FROM sqlite_schema WHERE name = 'ix_quotes_big'")).toBe('CREATE INDEX ix_quotes_big ON quotes (qty) WHERE qty > 100');
    expect(await rows(db, 'SELECT qty FROM quotes INDEXED BY ix_quotes_big WHERE qty > 100 AND qty < 250')).toEqual([{ qty: 200 }]);
    expect(await rows(db, "SELECT rowid AS rid FROM quotes INDEXED BY ix_quotes_symbol WHERE symbol = 'TSLA'")).toEqual([{ rid: 4 }]);
    // Views compute on the new REAL column; both triggers fire.
    expect(await rows(db, 'SELECT symbol, notional FROM v_notional ORDER BY symbol')).toEqual([
      { symbol: 'AAPL', notional: 525 },
      { symbol: 'MSFT', notional: 4000 },
      { symbol: 'TSLA', notional: 9075 },
    ]);
    expect(await rows(db, 'SELECT symbol FROM v_big ORDER BY symbol')).toEqual([{ symbol: 'MSFT' }, { symbol: 'TSLA' }]);
    await db.executor().exec("INSERT INTO inbox VALUES ('NVDA')");
    expect(await rows(db, 'SELECT symbol, at FROM audit')).toEqual([{ symbol: 'NVDA', at: 'insert' }]);
    // The new CHECK holds.
    await expect(db.executor().exec("INSERT INTO quotes VALUES ('BAD', -1, 1)")).rejects.toThrow(/CHECK constraint failed/);
    expect(await value(db, 'PRAGMA foreign_keys')).toBe(1);
    await expectIntact(db);
  });

  it('drops a column and adds a NOT NULL column filled by an expression', async () => {
    const db = await open();
    await db.executor().exec(`
      CREATE TABLE trades (id INTEGER PRIMARY KEY, symbol TEXT, venue TEXT, legacy_flag INTEGER);
      INSERT INTO trades VALUES (7, 'aapl', 'XNAS', 1), (9, 'msft', NULL, 0);
    `);
    const report = await rebuildTable(db, {
      table: 'trades',
      createTableSql: 'CREATE TABLE trades (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, venue TEXT, symbol_upper TEXT NOT NULL)',
      columnExpressions: { symbol_upper: 'upper(symbol)' },
    });
    expect(report).toMatchObject({ rowsCopied: 2, droppedColumns: ['legacy_flag'], addedColumns: ['symbol_upper'] });
    expect(await rows(db, 'SELECT * FROM trades ORDER BY id')).toEqual([
      { id: 7, symbol: 'aapl', venue: 'XNAS', symbol_upper: 'AAPL' },
      { id: 9, symbol: 'msft', venue: null, symbol_upper: 'MSFT' },
    ]);
    expect((await rows<{ name: string }>(db, "SELECT name FROM pragma_table_info('trades')")).map((c) => c.name)).toEqual([
      'id',
      'symbol',
      'venue',
      'symbol_upper',
    ]);
    await expectIntact(db);
  });

  it('a new NOT NULL column with a DEFAULT needs no expression', async () => {
    const db = await open();
    await db.executor().exec("CREATE TABLE venues (code TEXT PRIMARY KEY); INSERT INTO venues VALUES ('XNAS');");
    const report = await rebuildTable(db, {
      table: 'venues',
      createTableSql: "CREATE TABLE venues (code TEXT PRIMARY KEY, active INTEGER NOT NULL DEFAULT 1, country TEXT NOT NULL DEFAULT 'US')",
    });
    expect(report.addedColumns).toEqual(['active', 'country']);
    expect(await rows(db, 'SELECT * FROM venues')).toEqual([{ code: 'XNAS', active: 1, country: 'US' }]);
    await expectIntact(db);
  });

  for (const legacyAlterTable of [false, true]) {
    it(`rebuilding a parent keeps child rows and ON DELETE CASCADE pointing at it (legacy_alter_table ${legacyAlterTable ? 'ON' : 'OFF'})`, async () => {
      const db = await open();
      await db.executor().exec(`
        PRAGMA legacy_alter_table = ${legacyAlterTable ? 'ON' : 'OFF'};
        CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE);
        INSERT INTO parent VALUES (1, 'one'), (2, 'two');
        INSERT INTO child VALUES (10, 1), (11, 1), (20, 2);
      `);
      const childSql = await value(db, "SELECT sql FROM sqlite_schema WHERE name = 'child'");

      await rebuildTable(db, { table: 'parent', createTableSql: 'CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)' });

      expect(await value(db, 'SELECT count(*) FROM child')).toBe(3);
      expect(await value(db, "SELECT sql FROM sqlite_schema WHERE name = 'child'")).toBe(childSql);
      expect(await rows(db, "SELECT \"table\" AS parent FROM pragma_foreign_key_list('child')")).toEqual([{ parent: 'parent' }]);
      expect(await value(db, 'PRAGMA foreign_keys')).toBe(1);
      await db.executor().exec('DELETE FROM parent WHERE id = 1');
      expect(await rows(db, 'SELECT id FROM child ORDER BY id')).toEqual([{ id: 20 }]);
      await expect(db.executor().exec('INSERT INTO child VALUES (30, 99)')).rejects.toThrow(/FOREIGN KEY constraint failed/);
      await expectIntact(db);
    });
  }

  it('refuses a new foreign key that existing rows violate and leaves the database exactly as it was', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spine-rebuild-')), 'fk.db');
    const db = await open(path);
    await db.executor().exec(`
      CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
      CREATE TABLE orders (customer_id INTEGER, amount REAL);
      CREATE INDEX ix_orders_customer ON orders (customer_id);
      CREATE VIEW v_orders AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id;
      INSERT INTO customers VALUES (1, 'a');
      INSERT INTO orders VALUES (1, 10), (2, 20), (1, 5), (3, 1);
    `);
    const before = await snapshot(db, ['customers', 'orders']);

    const failure = rebuildTable(db, {
      table: 'orders',
      createTableSql: 'CREATE TABLE orders (customer_id INTEGER REFERENCES customers(id), amount REAL)',
    });
    await expect(failure).rejects.toMatchObject({
      code: 'REBUILD_FOREIGN_KEY_VIOLATION',
      message: expect.stringContaining('orders rowid 2 → customers'),
      details: {
        table: 'orders',
        violations: [
          { table: 'orders', rowid: 2, parent: 'customers' },
          { table: 'orders', rowid: 4, parent: 'customers' },
        ],
      },
    });
    expect(await snapshot(db, ['customers', 'orders'])).toEqual(before);
    expect(await value(db, 'PRAGMA foreign_keys')).toBe(1);
    await expectIntact(db);

    // Nothing half-done reached the file either.
    await db.close();
    opened.splice(opened.indexOf(db), 1);
    const reopened = await open(path);
    expect(await snapshot(reopened, ['customers', 'orders'])).toEqual(before);
  });

  it('persists a rebuild of a file database', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spine-rebuild-')), 'file.db');
    const db = await open(path);
    await db.executor().exec("CREATE TABLE notes (body TEXT, extra TEXT); INSERT INTO notes VALUES ('x', 'y'), ('z', NULL);");
    await rebuildTable(db, { table: 'notes', createTableSql: 'CREATE TABLE notes (body TEXT NOT NULL)' });
    await db.close();
    opened.splice(opened.indexOf(db), 1);
    const reopened = await open(path);
    expect(await rows(reopened, 'SELECT rowid AS rid, * FROM notes')).toEqual([
      { rid: 1, body: 'x' },
      { rid: 2, body: 'z' },
    ]);
    await expectIntact(reopened);
  });

  it('keeps the AUTOINCREMENT high-water mark so deleted ids are not reused', async () => {
    const db = await open();
    await db.executor().exec(`
      CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT);
      INSERT INTO events (kind) VALUES ('a'), ('b'), ('c');
      DELETE FROM events WHERE id = 3;
    `);
    await rebuildTable(db, { table: 'events', createTableSql: "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL DEFAULT '')" });
    await db.executor().exec("INSERT INTO events (kind) VALUES ('d')");
    expect(await rows(db, 'SELECT id, kind FROM events ORDER BY id')).toEqual([
      { id: 1, kind: 'a' },
      { id: 2, kind: 'b' },
      { id: 4, kind: 'd' },
    ]);
    await expectIntact(db);
  });
});

describe('rebuildTableInTransaction', () => {
  it('shares the caller transaction: its other writes commit with the rebuild, or roll back with it', async () => {
    const db = await open();
    await db.executor().exec(`
      CREATE TABLE ledger (id TEXT);
      CREATE TABLE items (a INTEGER, b INTEGER);
      INSERT INTO items VALUES (1, 2);
    `);
    await setForeignKeys(db.executor(), false);
    const report = await db.transaction(async (tx) => {
      const result = await rebuildTableInTransaction(tx, { table: 'items', createTableSql: 'CREATE TABLE items (a INTEGER)' });
      await tx.insertRows('ledger', ['id'], [['m1']]);
      return result;
    });
    expect(report.droppedColumns).toEqual(['b']);
    expect(await rows(db, 'SELECT id FROM ledger')).toEqual([{ id: 'm1' }]);

    const before = await snapshot(db, ['ledger', 'items']);
    await expect(
      db.transaction(async (tx) => {
        await tx.insertRows('ledger', ['id'], [['m2']]);
        await rebuildTableInTransaction(tx, { table: 'items', createTableSql: 'CREATE TABLE items (a INTEGER CHECK (a > 5))' });
      }),
    ).rejects.toMatchObject({ code: 'REBUILD_INVALID', message: expect.stringContaining('CHECK constraint failed') });
    expect(await snapshot(db, ['ledger', 'items'])).toEqual(before);
    expect(await setForeignKeys(db.executor(), true)).toBe(false);
    await expectIntact(db);
  });

  it('refuses to run with foreign keys ON, where DROP TABLE would cascade into child rows', async () => {
    const db = await open();
    await db.executor().exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id) ON DELETE CASCADE);');
    await expect(
      db.transaction((tx) => rebuildTableInTransaction(tx, { table: 'p', createTableSql: 'CREATE TABLE p (id INTEGER PRIMARY KEY, x TEXT)' })),
    ).rejects.toMatchObject({ code: 'REBUILD_INVALID', message: expect.stringContaining('Foreign keys are ON') });
  });
});

describe('setForeignKeys', () => {
  it('returns the previous setting and changes it outside a transaction only', async () => {
    const db = await open();
    expect(await setForeignKeys(db.executor(), false)).toBe(true);
    expect(await value(db, 'PRAGMA foreign_keys')).toBe(0);
    // Inside a transaction SQLite ignores the pragma.
    await db.transaction(async (tx) => {
      expect(await setForeignKeys(tx, true)).toBe(false);
      expect((await sql.raw<{ foreign_keys: number }>('PRAGMA foreign_keys').execute(tx.kysely)).rows[0]?.foreign_keys).toBe(0);
    });
    expect(await setForeignKeys(db.executor(), true)).toBe(false);
    expect(await value(db, 'PRAGMA foreign_keys')).toBe(1);
  });
});

describe('invalid rebuilds', () => {
  async function seeded(): Promise<SpineDb> {
    const db = await open();
    await db.executor().exec(`
      CREATE TABLE bars (symbol TEXT NOT NULL, close REAL, volume INTEGER);
      CREATE INDEX ix_bars_volume ON bars (volume);
      CREATE TABLE log (msg TEXT);
      CREATE TRIGGER tr_bars AFTER INSERT ON bars BEGIN INSERT INTO log VALUES (new.close); END;
      CREATE VIEW v_bars AS SELECT symbol, close FROM bars;
      INSERT INTO bars VALUES ('A', 1.5, 10), ('B', -2, 20);
    `);
    return db;
  }

  const cases: Array<{ name: string; spec: TableRebuildSpec; message: RegExp }> = [
    { name: 'a missing table', spec: { table: 'nope', createTableSql: 'CREATE TABLE nope (a)' }, message: /Table nope does not exist/ },
    { name: 'a view', spec: { table: 'v_bars', createTableSql: 'CREATE TABLE v_bars (a)' }, message: /v_bars is a view/ },
    {
      name: 'SQL that does not parse',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT,' },
      message: /createTableSql for bars is not valid SQLite/,
    },
    {
      name: 'two statements',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT); DROP TABLE log' },
      message: /exactly one CREATE TABLE statement; it holds 2/,
    },
    { name: 'not a CREATE TABLE', spec: { table: 'bars', createTableSql: 'CREATE VIEW bars AS SELECT 1' }, message: /exactly one CREATE TABLE/ },
    { name: 'another table', spec: { table: 'bars', createTableSql: 'CREATE TABLE bars2 (symbol TEXT)' }, message: /creates bars2, not bars/ },
    { name: 'a qualified name', spec: { table: 'bars', createTableSql: 'CREATE TABLE main.bars (symbol TEXT)' }, message: /creates main\.bars, not bars/ },
    { name: 'a TEMP table', spec: { table: 'bars', createTableSql: 'CREATE TEMP TABLE bars (symbol TEXT)' }, message: /no TEMP, no AS SELECT/ },
    { name: 'AS SELECT', spec: { table: 'bars', createTableSql: 'CREATE TABLE bars AS SELECT * FROM log' }, message: /no TEMP, no AS SELECT/ },
    {
      name: 'a new NOT NULL column without default or expression',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, close REAL, volume INTEGER, venue TEXT NOT NULL)' },
      message: /New column bars\.venue is NOT NULL but has no DEFAULT and no expression/,
    },
    {
      name: 'an expression for a column the new table lacks',
      spec: {
        table: 'bars',
        createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, close REAL, volume INTEGER)',
        columnExpressions: { open: 'close' },
      },
      message: /columnExpressions names open, which is not a column of the new definition/,
    },
    {
      name: 'an expression that is not one expression',
      spec: {
        table: 'bars',
        createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, close REAL, volume INTEGER)',
        columnExpressions: { close: 'close FROM log; DROP TABLE log' },
      },
      message: /columnExpressions\.close is not a single SQL expression/,
    },
    {
      name: 'rows that break a new CHECK',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, close REAL CHECK (close > 0), volume INTEGER)' },
      message: /Copying the rows of bars into its new definition failed: CHECK constraint failed/,
    },
    {
      name: 'an index on a dropped column',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, close REAL)' },
      message: /Recreating index ix_bars_volume .*no such column: volume/,
    },
    {
      name: 'a trigger on a dropped column',
      spec: { table: 'bars', createTableSql: 'CREATE TABLE bars (symbol TEXT NOT NULL, volume INTEGER, close_px REAL)' },
      message: /Trigger tr_bars no longer fits the new definition: no such column: new\.close/,
    },
  ];

  for (const { name, spec, message } of cases) {
    it(`refuses ${name} with REBUILD_INVALID and changes nothing`, async () => {
      const db = await seeded();
      const before = await snapshot(db, ['bars', 'log']);
      await expect(rebuildTable(db, spec)).rejects.toMatchObject({ code: 'REBUILD_INVALID', message: expect.stringMatching(message) });
      expect(await snapshot(db, ['bars', 'log'])).toEqual(before);
      expect(await value(db, 'PRAGMA foreign_keys')).toBe(1);
      await expectIntact(db);
    });
  }

  it('refuses a view that no longer fits the new definition', async () => {
    const db = await open();
    await db.executor().exec('CREATE TABLE t (a, b); CREATE VIEW v AS SELECT b FROM t;');
    await expect(rebuildTable(db, { table: 't', createTableSql: 'CREATE TABLE t (a)' })).rejects.toMatchObject({
      code: 'REBUILD_INVALID',
      message: expect.stringContaining('View v no longer fits the new definition: no such column: b'),
    });
    expect(await value(db, "SELECT sql FROM sqlite_schema WHERE name = 't'")).toBe('CREATE TABLE t (a, b)');
  });

  it('refuses a table name outside the identifier pattern before any SQL', async () => {
    const db = await open();
    await expect(rebuildTable(db, { table: 'bars; DROP TABLE x', createTableSql: 'CREATE TABLE x (a)' })).rejects.toMatchObject({
      code: 'INVALID_IDENTIFIER',
    });
  });
});
