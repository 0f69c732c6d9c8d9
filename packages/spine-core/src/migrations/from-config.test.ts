import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpineConfigSchema } from '../config.js';
import { openSpineDb } from '../spine-db.js';
import { fixtureSource, tempDir } from '../test-support/migration-fixtures.js';
import { readLedger } from './ledger.js';
import { Migrator } from './migrator.js';

const v1 = () => fixtureSource('app', { 'basic/0001_orders.sql': 'CREATE TABLE orders (id INTEGER PRIMARY KEY, state INTEGER);' });

describe('openSpineDb({ migrateOnOpen }) — the daemon start-up check of seed 002', () => {
  it('refuses to open a database that needs migrations unless auto_migrate is on', async () => {
    const path = join(tempDir(), 'state.db');
    const config = SpineConfigSchema.parse({});
    await expect(openSpineDb({ target: path, migrateOnOpen: { sources: [v1()], config } })).rejects.toMatchObject({
      code: 'SCHEMA_NOT_MIGRATED',
      hint: expect.stringContaining('auto_migrate'),
    });
  });

  it('migrates on open when auto_migrate is on, with a verified backup first and verification after', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    const source = v1();
    const first = await openSpineDb(path);
    await new Migrator(first, { sources: [source] }).migrate();
    await first.executor().exec('INSERT INTO orders VALUES (1, 2)');
    await first.close();

    const v2 = fixtureSource('app', {
      'basic/0001_orders.sql': 'CREATE TABLE orders (id INTEGER PRIMARY KEY, state INTEGER);',
      'basic/0002_orders_index.sql': 'CREATE INDEX idx_orders_state ON orders (state);',
    });
    const config = SpineConfigSchema.parse({ database: { schema: { auto_migrate: true }, backup: { directory: join(dir, 'backups') } } });
    const db = await openSpineDb({ target: path, migrateOnOpen: { sources: [v2], config } });
    try {
      expect((await readLedger(db)).map((r) => r.migration_id)).toEqual(['app/basic/0001_orders', 'app/basic/0002_orders_index']);
      expect(readdirSync(join(dir, 'backups'))).toEqual([expect.stringMatching(/^state_pre-migrate-app-basic-0002-orders-index_\d{8}T\d{9}Z\.db$/)]);
    } finally {
      await db.close();
    }
  });

  it('refuses a database newer than the code (v1 code cannot open a v2 database)', async () => {
    const path = join(tempDir(), 'state.db');
    const v2 = fixtureSource('app', { 'basic/0001_orders.sql': 'CREATE TABLE orders (id INTEGER);', 'basic/0002_more.sql': 'CREATE TABLE more (id INTEGER);' });
    const db = await openSpineDb(path);
    await new Migrator(db, { sources: [v2] }).migrate();
    await db.close();
    const config = SpineConfigSchema.parse({ database: { schema: { auto_migrate: true } } });
    await expect(openSpineDb({ target: path, migrateOnOpen: { sources: [v1()], config } })).rejects.toMatchObject({ code: 'MIGRATION_FUTURE' });
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
