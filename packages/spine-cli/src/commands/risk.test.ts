import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createV1Database, v1Rows } from '@market-spine/domains-risk/testing';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { spine } from '../test-support/cli.js';

/** Seed 004's config/database.yaml, with confirmation required (so --yes is needed without a terminal). */
function seedConfig(dir: string, trackUnrealizedPnl = false): string {
  const path = join(dir, 'database.yaml');
  writeFileSync(
    path,
    `database:
  path: state.db
  schema:
    current_version: 2
    auto_migrate: true
  track_unrealized_pnl: ${trackUnrealizedPnl}
  backup:
    directory: backups
    retention_days: 30
    max_backups: 10
  migration:
    require_confirmation: true
    create_backup: true
    verify_after: true
`,
  );
  return path;
}

describe('spine risk upgrade | rollback on a v1 state database', () => {
  it('prints seed 004’s messages, upgrades with every row kept, is idempotent, and rolls back', async () => {
    const db = createV1Database({ rows: 1000 });
    const dir = join(db, '..');
    const config = seedConfig(dir);
    const before = v1Rows(db);

    const dry = await spine(dir, '--config', config, 'risk', 'upgrade', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Plan (dry run; nothing changed), from schema v1:');
    expect(dry.stdout).toContain('CREATE INDEX IF NOT EXISTS idx_orders_state_account');
    expect(existsSync(join(dir, 'backups'))).toBe(false);

    const unconfirmed = await spine(dir, '--config', config, 'risk', 'upgrade');
    expect(unconfirmed.code).toBe(ExitCode.USAGE);
    expect(unconfirmed.stderr).toContain('[CONFIRMATION_REQUIRED]');

    const upgrade = await spine(dir, '--config', config, 'risk', 'upgrade', '--yes');
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(upgrade.stdout).toMatch(/✓ Backup created: .*backups\/state_pre-v2_\d{8}T\d{9}Z\.db \(integrity ok/);
    expect(upgrade.stdout).toContain('✓ v1 schema adopted as the baseline');
    expect(upgrade.stdout).toMatch(/✓ Core migration successful \(\d+ms\)/);
    expect(upgrade.stdout).toMatch(/✓ Analytics indexes created \(\d+ms\)/);
    expect(upgrade.stdout).toContain('⊘ Optional daily_unrealized_pnl table skipped (disabled in config)');
    expect(upgrade.stdout).toContain('✓ Migration verification successful');
    expect(upgrade.stdout).toContain('✓ Database schema v2 (current)');
    expect(v1Rows(db)).toEqual(before);

    const again = await spine(dir, '--config', config, 'risk', 'upgrade', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('✓ Database schema v2 (current); nothing to do');

    // The engine's own commands see the state database's package.
    const status = JSON.parse((await spine(dir, '--config', config, 'db', 'status', '--json')).stdout) as { entries: { id: string; state: string }[] };
    expect(status.entries.map((e) => [e.id, e.state])).toEqual([
      ['domains-risk/basic/0001_v1_baseline', 'applied'],
      ['domains-risk/basic/0002_schema_version', 'applied'],
      ['domains-risk/basic/0003_analytics_indexes', 'applied'],
    ]);

    const rollback = await spine(dir, '--config', config, 'risk', 'rollback', '--yes');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('Now: schema v1;');
    expect(rollback.stdout).toContain('no schema_version (v1)');
    expect(v1Rows(db)).toEqual(before);
  });

  it('refuses while the daemon has the database open, with exit code 3', async () => {
    const db = createV1Database({ rows: 10, journalWal: true });
    const dir = join(db, '..');
    const daemon = new Database(db);
    daemon.pragma('journal_mode = WAL');
    try {
      const result = await spine(dir, '--config', seedConfig(dir), 'risk', 'upgrade', '--yes');
      expect(result.code).toBe(ExitCode.DATABASE);
      expect(result.stderr).toContain('[DB_IN_USE]');
    } finally {
      daemon.close();
    }
  });
});
