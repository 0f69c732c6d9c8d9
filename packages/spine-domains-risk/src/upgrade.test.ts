import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SpineConfigSchema } from '@market-spine/core';
import type { SpineConfig } from '@market-spine/core';
import { describe, expect, it } from 'vitest';
import { rollbackRiskDatabase } from './rollback.js';
import { V1_TABLES, createV1Database, v1Rows } from './testing.js';
import { upgradeRiskDatabase } from './upgrade.js';
import type { RiskUpgradeEvent } from './upgrade.js';

/** The config of seed 004 (`config/database.yaml`), backups beside the database. */
function config(path: string, database: Record<string, unknown> = {}): SpineConfig {
  return SpineConfigSchema.parse({ database: { backup: { directory: join(path, '..', 'backups') }, ...database } });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const tables = (path: string) => query<{ name: string }>(path, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
const indexes = (path: string) => query<{ name: string }>(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'idx_%' ORDER BY name").map((r) => r.name);

describe('spine risk upgrade on a v1 database built from RISK_V1_SCHEMA.md', () => {
  it('backs up, adopts v1, applies phases 1–2, skips phase 3, verifies, and keeps every row', async () => {
    const path = createV1Database({ rows: 3000 });
    const before = v1Rows(path);
    const events: RiskUpgradeEvent[] = [];
    const result = await upgradeRiskDatabase({ path, config: config(path), onEvent: (e) => events.push(e) });
    expect(result.status, JSON.stringify(result)).toBe('upgraded');
    if (result.status !== 'upgraded') return;
    expect(result).toMatchObject({ fromVersion: 1, version: 2, baselined: ['domains-risk/basic/0001_v1_baseline'] });
    expect(result.phases.map((p) => [p.phase, p.outcome])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'skipped'],
    ]);
    expect(result.backup.path).toMatch(/backups\/state_pre-v2_\d{8}T\d{9}Z\.db$/);
    expect(result.backup.integrity).toBe('ok');
    expect(result.verification).toMatchObject({ ok: true, problems: [], version: 2, counts: { enforcement_log: 3000, positions: 3000, orders: 3000 } });
    expect(events.map((e) => e.type)).toEqual(['checked', 'backup', 'baselined', 'phase', 'phase', 'phase', 'verified']);

    // Row by row: every v1 table holds exactly what the backup (the v1 database) held.
    expect(v1Rows(path)).toEqual(before);
    expect(v1Rows(result.backup.path)).toEqual(before);
    expect(tables(path)).toEqual([...V1_TABLES, '_migration_log', '_migrations', 'schema_version'].sort());
    expect(indexes(path)).toEqual(expect.arrayContaining(['idx_enforcement_log_success', 'idx_orders_state_account', 'idx_positions_updated', 'idx_schema_version_applied']));
    expect(query<{ version: number; success: number }>(path, 'SELECT version, success FROM schema_version ORDER BY version')).toEqual([
      { version: 1, success: 1 },
      { version: 2, success: 1 },
    ]);
  });

  it('is idempotent: run twice, the second run changes nothing and takes no backup', async () => {
    const path = createV1Database({ rows: 200 });
    expect((await upgradeRiskDatabase({ path, config: config(path) })).status).toBe('upgraded');
    const hash = sha256(path);
    const again = await upgradeRiskDatabase({ path, config: config(path) });
    expect(again).toMatchObject({ status: 'current', version: 2, verification: { ok: true } });
    if (again.status === 'current') expect(again.phases.map((p) => p.outcome)).toEqual(['already-applied', 'already-applied', 'skipped']);
    expect(sha256(path)).toBe(hash);
    expect(readdirSync(join(path, '..', 'backups'))).toHaveLength(1);
  });

  it("adopts v1's minimal schema_version, keeping its row", async () => {
    const path = createV1Database({ rows: 50, minimalSchemaVersion: true });
    const result = await upgradeRiskDatabase({ path, config: config(path) });
    expect(result.status, JSON.stringify(result)).toBe('upgraded');
    const rows = query<{ version: number; applied_at: string; description: string }>(path, 'SELECT version, applied_at, description FROM schema_version ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(rows[0]).toMatchObject({ applied_at: '2025-01-01 00:00:00', description: expect.stringContaining('Baseline schema - 9 tables') });
  });

  it('adds the optional daily_unrealized_pnl table when track_unrealized_pnl is turned on later', async () => {
    const path = createV1Database({ rows: 20 });
    await upgradeRiskDatabase({ path, config: config(path) });
    expect(tables(path)).not.toContain('daily_unrealized_pnl');
    const later = await upgradeRiskDatabase({ path, config: config(path, { track_unrealized_pnl: true }) });
    expect(later.status).toBe('upgraded');
    if (later.status === 'upgraded') expect(later.phases.map((p) => p.outcome)).toEqual(['already-applied', 'already-applied', 'applied']);
    expect(tables(path)).toContain('daily_unrealized_pnl');
    expect(indexes(path)).toEqual(expect.arrayContaining(['idx_daily_unrealized_pnl_account_date', 'idx_daily_unrealized_pnl_date']));
  });

  it('--dry-run shows the plan and touches nothing', async () => {
    const path = createV1Database({ rows: 20 });
    const hash = sha256(path);
    const result = await upgradeRiskDatabase({ path, config: config(path, { track_unrealized_pnl: true }), dryRun: true });
    expect(result.status).toBe('planned');
    if (result.status !== 'planned') return;
    expect(result.steps.map((s) => s.step)).toEqual(['check', 'backup', 'baseline', 'phase', 'phase', 'phase', 'verify']);
    expect(result.steps.find((s) => s.phase === 2)?.sql).toContain('CREATE INDEX IF NOT EXISTS idx_enforcement_log_success');
    expect(sha256(path)).toBe(hash);
    expect(existsSync(join(path, '..', 'backups'))).toBe(false);
  });
});

describe('spine risk upgrade refuses, or restores the backup on any failure', () => {
  it('refuses while another process holds the database', async () => {
    const path = createV1Database({ rows: 10, journalWal: true });
    const daemon = new Database(path);
    daemon.pragma('journal_mode = WAL');
    try {
      const result = await upgradeRiskDatabase({ path, config: config(path) });
      expect(result).toMatchObject({ status: 'refused', code: 'DB_IN_USE' });
    } finally {
      daemon.close();
    }
    expect(tables(path)).toEqual([...V1_TABLES]);
  });

  it('refuses a database newer than this code, and a file that is not a state database', async () => {
    const newer = createV1Database({ rows: 5 });
    await upgradeRiskDatabase({ path: newer, config: config(newer) });
    const db = new Database(newer);
    db.exec("INSERT INTO schema_version (version, applied_at, description) VALUES (3, '2027-01-01T00:00:00Z', 'v3')");
    db.close();
    expect(await upgradeRiskDatabase({ path: newer, config: config(newer) })).toMatchObject({ status: 'refused', code: 'MIGRATION_FUTURE' });

    const empty = join(newer, '..', 'other.db');
    new Database(empty).close();
    expect(await upgradeRiskDatabase({ path: empty, config: config(empty) })).toMatchObject({ status: 'refused', code: 'SCHEMA_NOT_MIGRATED' });
  });

  it('restores the backup when the v1 database is broken (a table missing): its rows are as they were', async () => {
    const path = createV1Database({ rows: 30 });
    const db = new Database(path);
    db.exec('DROP TABLE reset_schedule');
    db.close();
    const before = query(path, 'SELECT * FROM orders ORDER BY id');
    const result = await upgradeRiskDatabase({ path, config: config(path) });
    expect(result).toMatchObject({ status: 'failed', stage: 'baseline', message: expect.stringContaining('reset_schedule') });
    if (result.status !== 'failed') return;
    expect(result.restored?.movedAside).toMatch(/state\.db\.failed_\d{8}T\d{9}Z$/);
    expect(tables(path)).toEqual(V1_TABLES.filter((t) => t !== 'reset_schedule'));
    expect(query(path, 'SELECT * FROM orders ORDER BY id')).toEqual(before);
  });

  it('restores the backup when a phase fails (a v1 column that conflicts with v2)', async () => {
    const path = join(createV1Database({ rows: 0 }), '..', 'conflict.db');
    const db = new Database(path);
    // An older tool that wrote execution_time_ms as TEXT: phase 1's ADD COLUMN cannot adopt it.
    db.exec(readFileSync(new URL('../migrations/basic/0001_v1_baseline.sql', import.meta.url), 'utf8').replace('execution_time_ms INTEGER', 'execution_time_ms TEXT'));
    db.exec("INSERT INTO orders (id, account_id, state) VALUES (1, 7, 1)");
    db.close();
    const result = await upgradeRiskDatabase({ path, config: config(path) });
    expect(result).toMatchObject({ status: 'failed', stage: 1, message: expect.stringContaining('execution_time_ms') });
    expect(tables(path)).not.toContain('schema_version');
    expect(tables(path)).not.toContain('_migrations');
    expect(query(path, 'SELECT id, account_id, state FROM orders')).toEqual([{ id: 1, account_id: 7, state: 1 }]);
  });

  it('restores the backup when the verification fails (an index of the same name on other columns)', async () => {
    const path = createV1Database({ rows: 30 });
    const db = new Database(path);
    db.exec('CREATE INDEX idx_orders_state_account ON orders (account_id)');
    db.close();
    const before = v1Rows(path);
    const result = await upgradeRiskDatabase({ path, config: config(path) });
    expect(result).toMatchObject({ status: 'failed', stage: 'verify', message: 'Migration verification failed' });
    if (result.status !== 'failed') return;
    expect(result.problems.join('\n')).toContain('idx_orders_state_account');
    expect(result.restored).not.toBeNull();
    expect(tables(path)).toEqual([...V1_TABLES]);
    expect(v1Rows(path)).toEqual(before);
  });
});

describe('spine risk rollback (seed 004 scenario 2)', () => {
  it('restores the pre-v2 backup over a v2 database: v1 again, every row as before', async () => {
    const path = createV1Database({ rows: 500 });
    const before = v1Rows(path);
    expect((await upgradeRiskDatabase({ path, config: config(path) })).status).toBe('upgraded');
    const result = await rollbackRiskDatabase({ path, config: config(path) });
    expect(result.status).toBe('restored');
    if (result.status !== 'restored') return;
    expect(result.state).toMatchObject({ version: 1, schemaVersionTable: 'none', v1Tables: { missing: [] } });
    expect(result.restore.movedAside).toMatch(/state\.db\.failed_/);
    expect(tables(path)).toEqual([...V1_TABLES]);
    expect(v1Rows(path)).toEqual(before);
  });

  it('refuses when there is no pre-v2 backup', async () => {
    const path = createV1Database({ rows: 5 });
    expect(await rollbackRiskDatabase({ path, config: config(path) })).toMatchObject({ status: 'refused', code: 'BACKUP_INVALID' });
  });
});
