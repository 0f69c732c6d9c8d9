import { afterEach, describe, expect, it } from 'vitest';
import { coreMigrationSource } from './core-migrations.js';
import { readLedger } from './migrations/ledger.js';
import { Migrator } from './migrations/migrator.js';
import { closeTestDatabases, testDialects } from './testing.js';

const BASIC = ['core_anomalies', 'core_executions', 'core_load_records', 'core_manifest', 'core_quality_checks', 'core_source_configs'];
const INTERMEDIATE = ['alert_history', 'scheduler_runs', 'scheduler_schedules', 'workflow_runs', 'workflow_step_runs'];
const ADVANCED = ['circuit_breakers', 'dead_letter_queue'];

afterEach(closeTestDatabases);

for (const dialect of testDialects()) {
  describe(`spine-core's migrations on ${dialect.name} (${dialect.backend})`, () => {
    // PostgreSQL adds seed 003's partitioned copy of workflow_runs to the intermediate tier.
    const pgOnly = dialect.name === 'postgres' ? ['workflow_runs_partitioned'] : [];
    it.each([
      ['basic', BASIC],
      ['intermediate', [...BASIC, ...INTERMEDIATE, ...pgOnly]],
      ['advanced', [...BASIC, ...INTERMEDIATE, ...pgOnly, ...ADVANCED]],
    ] as const)('create the %s tier tables of seed 003', async (tier, expected) => {
      const db = await dialect.open();
      const result = await new Migrator(db, { sources: [coreMigrationSource()], tier }).migrate();
      expect(result.status === 'ok' ? result : JSON.stringify(result)).toMatchObject({ status: 'ok' });
      const objects = await db.dialect.introspector.listObjects(db.executor());
      expect(objects.filter((o) => o.type === 'table' && !o.name.startsWith('_') && o.name !== 'sqlite_sequence').map((o) => o.name).sort()).toEqual([...expected].sort());
      const ledger = await readLedger(db);
      expect(ledger[0]).toMatchObject({ migration_id: 'core/basic/0001_core_executions', package: '@market-spine/core', dialect: dialect.name, description: 'core_executions: one row per pipeline execution, for lineage' });
      const verified = await new Migrator(db, { sources: [coreMigrationSource()], tier }).verify();
      expect(verified.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    });

    it('keeps foreign keys on: a step run needs its workflow run, and cascades with it', async () => {
      const db = await dialect.open();
      await new Migrator(db, { sources: [coreMigrationSource()], tier: 'intermediate' }).migrate();
      const exec = db.executor();
      await expect(exec.exec("INSERT INTO workflow_step_runs (step_id, run_id, step_name, step_type, step_order, status) VALUES ('s', 'missing', 'n', 'lambda', 1, 'PENDING')")).rejects.toThrow(/FOREIGN KEY constraint failed|violates foreign key constraint/);
      await exec.exec("INSERT INTO workflow_runs (run_id, workflow_name, status, triggered_by, created_at) VALUES ('r', 'w', 'RUNNING', 'manual', '2026-01-01T00:00:00Z')");
      await exec.exec("INSERT INTO workflow_step_runs (step_id, run_id, step_name, step_type, step_order, status) VALUES ('s', 'r', 'n', 'lambda', 1, 'PENDING')");
      await exec.exec("DELETE FROM workflow_runs WHERE run_id = 'r'");
      const rows = await db.kysely.selectFrom('workflow_step_runs').selectAll().execute();
      expect(rows).toHaveLength(0);
    });
  });
}
