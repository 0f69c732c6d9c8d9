import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_DIR } from '@market-spine/domains-finra';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { execSql, spine, tables, tempCwd } from '../test-support/cli.js';

describe('spine db: plan, migrate with backup and verify, rollback, restore', () => {
  it('walks through seed 004: plan, migrate, verify, back up, roll back, restore', async () => {
    const cwd = tempCwd();
    const db = join(cwd, 'spine.db');

    const plan = await spine(cwd, 'db', 'plan', '--json');
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { migrations: { id: string; transactional: boolean; statements: unknown[] }[] };
    expect(planned.migrations).toHaveLength(16);
    expect(planned.migrations[0]).toMatchObject({ id: 'core/basic/0001_core_executions', transactional: true });
    expect(existsSync(db)).toBe(false);
    expect((await spine(cwd, 'db', 'plan')).stdout).toContain('1. core/basic/0001_core_executions');

    // A new, empty database has nothing to lose: no backup before the first migrate.
    const first = JSON.parse((await spine(cwd, 'db', 'migrate', '--json')).stdout) as { status: string; backup: unknown; verification: { status: string } };
    expect(first).toMatchObject({ status: 'ok', backup: null, verification: { status: 'ok' } });
    expect((await spine(cwd, 'finra', 'run', SAMPLES_DIR)).code).toBe(0);

    // Going up a tier on a database with data: backup first, verify after.
    const second = await spine(cwd, 'db', 'migrate', '--tier', 'intermediate');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/✓ Backup .*spine_pre-migrate-core-intermediate-0005-alert-history_\d{8}T\d{9}Z\.db \(integrity ok/);
    expect(second.stdout).toContain('Applied 5 migration(s)');
    expect(second.stdout).toContain('✓ drift: the live schema matches the applied migrations');
    expect(tables(db)).toContain('workflow_runs');

    const backups = JSON.parse((await spine(cwd, 'db', 'backups', '--json')).stdout) as { backups: { path: string; ledger: { migrations: number } }[] };
    expect(backups.backups).toHaveLength(1);
    expect(backups.backups[0]?.ledger.migrations).toBe(16);

    expect((await spine(cwd, 'db', 'verify')).code).toBe(0);
    execSql(db, 'DROP INDEX idx_workflow_runs_status');
    const drifted = await spine(cwd, 'db', 'verify', '--json');
    expect(drifted.code).toBe(ExitCode.FAILED);
    expect(JSON.parse(drifted.stdout)).toMatchObject({ status: 'failed', missingObjects: [{ type: 'index', name: 'idx_workflow_runs_status' }] });
    execSql(db, 'CREATE INDEX idx_workflow_runs_status ON workflow_runs (status)');

    const rollback = await spine(cwd, 'db', 'rollback', '--steps', '5');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('Rolled back 5 migration(s)');
    expect(tables(db)).not.toContain('workflow_runs');
    expect(readdirSync(join(cwd, 'backups')).filter((f) => f.includes('pre-rollback'))).toHaveLength(1);

    // Restore the pre-rollback backup: the intermediate tables come back, the rolled-back file is kept aside.
    const preRollback = readdirSync(join(cwd, 'backups')).find((f) => f.includes('pre-rollback')) as string;
    const restored = await spine(cwd, 'db', 'restore', preRollback, '--yes');
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('Now: 21 migration(s) applied, newest core/intermediate/0005_alert_history');
    expect(tables(db)).toContain('workflow_runs');
    expect(readdirSync(cwd).some((f) => /^spine\.db\.failed_\d{8}T\d{9}Z$/.test(f))).toBe(true);
    const status = JSON.parse((await spine(cwd, 'db', 'status', '--tier', 'intermediate', '--json')).stdout) as { counts: Record<string, number> };
    expect(status.counts).toMatchObject({ applied: 21, pending: 0 });
    expect((await spine(cwd, 'finra', 'weeks', '--json')).stdout).toContain('2025-11-28');
  });
});

describe('spine db: guards', () => {
  it('refuses to write to a database newer than the build, but still reads it with a warning', async () => {
    const cwd = tempCwd();
    const db = join(cwd, 'spine.db');
    expect((await spine(cwd, 'db', 'migrate')).code).toBe(0);
    execSql(
      db,
      "INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, installed_rank) VALUES ('domains-finra/basic/0099_from_the_future', '@market-spine/domains-finra', '9.0.0', 'basic', 'sqlite', 'x', 'x', '2027-01-01T00:00:00Z', 'me', 1, 99)",
    );
    const migrate = await spine(cwd, 'db', 'migrate');
    expect(migrate.code).toBe(ExitCode.FAILED);
    expect(migrate.stderr).toContain('[MIGRATION_FUTURE]');
    const run = await spine(cwd, 'finra', 'run', SAMPLES_DIR);
    expect(run.code).toBe(ExitCode.DATABASE);
    expect(run.stderr).toContain('This build will not write to it');
    const weeks = await spine(cwd, 'finra', 'weeks');
    expect(weeks.code).toBe(0);
    expect(weeks.stderr).toContain('newer version of Market Spine');
    const validate = await spine(cwd, 'db', 'validate');
    expect(validate.code).toBe(ExitCode.FAILED);
    expect(validate.stdout).toContain('domains-finra/basic/0099_from_the_future: applied by a newer or another build');
    expect((await spine(cwd, 'db', 'rollback', '--steps', '1')).stderr).toContain('[ROLLBACK_REFUSED]');
  });

  it('asks for --yes when the config requires confirmation and there is no terminal', async () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, 'spine.config.yaml'), 'database:\n  path: state.db\n  migration:\n    require_confirmation: true\n');
    const refused = await spine(cwd, 'db', 'migrate');
    expect(refused.code).toBe(ExitCode.USAGE);
    expect(refused.stderr).toContain('[CONFIRMATION_REQUIRED]');
    expect(existsSync(join(cwd, 'state.db'))).toBe(false);
    expect((await spine(cwd, 'db', 'migrate', '--yes')).code).toBe(0);
    expect(tables(join(cwd, 'state.db'))).toContain('core_manifest');
  });

  it('baselines a database that was built without the ledger', async () => {
    const cwd = tempCwd();
    const db = join(cwd, 'legacy.db');
    const dir = join(import.meta.dirname, '../../../spine-core/migrations/basic');
    for (const file of readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()) execSql(db, readFileSync(join(dir, file), 'utf8'));
    const plan = JSON.parse((await spine(cwd, '--db', db, 'db', 'plan', '--json')).stdout) as { migrations: unknown[] };
    expect(plan.migrations).toHaveLength(16);
    const baseline = await spine(cwd, '--db', db, 'db', 'baseline', '--to', 'core/basic/0006_core_source_configs');
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(baseline.stdout).toContain('Baselined 6 migration(s)');
    const status = await spine(cwd, '--db', db, 'db', 'status');
    expect(status.stdout).toContain('applied (baseline)');
    expect(status.stdout).toContain('6 applied, 10 pending');
    expect((await spine(cwd, '--db', db, 'db', 'migrate')).code).toBe(0);
    expect((await spine(cwd, '--db', db, 'db', 'verify')).code).toBe(0);
  });
});
