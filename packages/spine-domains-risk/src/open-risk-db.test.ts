import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SpineConfigSchema } from '@market-spine/core';
import { describe, expect, it } from 'vitest';
import { openRiskDb } from './open-risk-db.js';
import { createV1Database, v1Rows } from './testing.js';

const config = (dir: string, autoMigrate: boolean) =>
  SpineConfigSchema.parse({ database: { schema: { auto_migrate: autoMigrate }, backup: { directory: join(dir, 'backups') } } });

const tableNames = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe("openRiskDb: the daemon's startup check (seed 002 compatibility matrix)", () => {
  it('creates a new state database at v2', async () => {
    const dir = join(createV1Database({ rows: 0 }), '..');
    const risk = await openRiskDb({ path: join(dir, 'new.db') });
    expect(risk.schemaVersion).toBe(2);
    // The daemon's first writes and reads go through the repository (validated models).
    await risk.repository.upsertOrder({ id: 1, account_id: 7, contract_id: 'CON.F.US.EP.Z25', type: 5, side: 2, size: 2, state: 1, stop_price: 4500.25, created_at: '2026-11-22T10:00:00.000Z', updated_at: '2026-11-22T10:00:00.000Z' });
    expect((await risk.repository.ordersByState(7, 1)).map((o) => [o.id, o.type])).toEqual([[1, 5]]);
    await expect(risk.repository.upsertOrder({ id: 2, account_id: 7, contract_id: 'X', type: 2, side: 1, size: 1, state: 1, created_at: '2026-11-22T10:00:00.000Z', updated_at: '2026-11-22T10:00:00.000Z' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('limit_price') });
    await risk.close();
    expect(tableNames(join(dir, 'new.db'))).toContain('schema_version');
  });

  it('v2 code reads v1: refused without auto_migrate, upgraded (with backup) with it', async () => {
    const path = createV1Database({ rows: 100 });
    const dir = join(path, '..');
    const before = v1Rows(path);
    await expect(openRiskDb({ path, config: config(dir, false) })).rejects.toMatchObject({ code: 'SCHEMA_NOT_MIGRATED', message: expect.stringContaining('schema v1') });
    const risk = await openRiskDb({ path, config: config(dir, true) });
    expect(risk.schemaVersion).toBe(2);
    expect(risk.upgrade).toMatchObject({ status: 'upgraded', backup: { path: expect.stringMatching(/state_pre-v2_/) } });
    await risk.close();
    expect(v1Rows(path)).toEqual(before);
  });

  it('v2 code reads v2; v1 code reads v1 but refuses v2', async () => {
    const path = createV1Database({ rows: 10 });
    const dir = join(path, '..');
    const asV1 = await openRiskDb({ path, config: config(dir, true), codeVersion: 1 });
    expect(asV1).toMatchObject({ schemaVersion: 1, upgrade: null });
    await asV1.close();
    expect(tableNames(path)).not.toContain('schema_version');

    await (await openRiskDb({ path, config: config(dir, true) })).close();
    const v2 = await openRiskDb({ path, config: config(dir, false) });
    expect(v2).toMatchObject({ schemaVersion: 2, upgrade: null });
    await v2.close();
    await expect(openRiskDb({ path, config: config(dir, true), codeVersion: 1 })).rejects.toMatchObject({ code: 'MIGRATION_FUTURE', message: expect.stringContaining('schema v2') });
  });

  it('applies the optional table once track_unrealized_pnl is turned on (auto_migrate)', async () => {
    const path = createV1Database({ rows: 10 });
    const dir = join(path, '..');
    await (await openRiskDb({ path, config: config(dir, true) })).close();
    const withFlag = SpineConfigSchema.parse({ database: { track_unrealized_pnl: true, schema: { auto_migrate: true }, backup: { directory: join(dir, 'backups') } } });
    const risk = await openRiskDb({ path, config: withFlag });
    expect(risk.upgrade).toMatchObject({ status: 'upgraded' });
    await risk.close();
    expect(tableNames(path)).toContain('daily_unrealized_pnl');
  });
});
