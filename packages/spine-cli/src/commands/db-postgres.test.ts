import { SAMPLES_DIR } from '@market-spine/domains-finra';
import { testDialects } from '@market-spine/core/testing';
import { describe, expect, it } from 'vitest';
import { spine, tempCwd } from '../test-support/cli.js';

const postgres = testDialects().find((d) => d.name === 'postgres');

describe(`spine --db postgres://… (${postgres?.backend})`, () => {
  it('migrates, runs the FINRA pipeline on the samples, reads, and verifies, like on SQLite', async () => {
    if (!postgres) throw new Error('no PostgreSQL test dialect');
    const cwd = tempCwd();
    const db = postgres.newTarget();
    const migrated = await spine(cwd, '--db', db, 'db', 'migrate', '--json');
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ status: 'ok', verification: { status: 'ok' } });

    const run = await spine(cwd, '--db', db, 'finra', 'run', SAMPLES_DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Weeks: 3; lines 15,175 = accepted 15,174 + rejected 1.');
    expect(run.stdout).toContain('2025-11-14 OTC: OTCN 82.19 %');

    const status = JSON.parse((await spine(cwd, '--db', db, 'db', 'status', '--json')).stdout) as { dialect: string; counts: { applied: number } };
    expect(status).toMatchObject({ dialect: 'postgres', counts: { applied: 16 } });
    expect((await spine(cwd, '--db', db, 'db', 'verify')).code).toBe(0);

    const again = await spine(cwd, '--db', db, 'finra', 'run', SAMPLES_DIR);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/unchanged/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('names the server in the error when it cannot be reached, without the password', async () => {
    const result = await spine(tempCwd(), '--db', 'postgres://spine:s3cret@127.0.0.1:1/nowhere', 'db', 'status');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('postgres://spine:***@127.0.0.1:1/nowhere');
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).toContain('[DB_OPEN_FAILED]');
  });
});

describe('spine db plan --dialect db2', () => {
  it('prints the DB2 DDL of every migration of the tier, with the ledger, and opens no database', async () => {
    const cwd = tempCwd();
    const text = await spine(cwd, 'db', 'plan', '--dialect', 'db2', '--tier', 'advanced');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('CREATE TABLE SPINE_MIGRATIONS (');
    expect(text.stdout).toContain('CREATE TABLE CORE_EXECUTIONS (');
    expect(text.stdout).toMatch(/CLOB\(1M\)/);
    expect(text.stdout).toMatch(/GENERATED ALWAYS AS IDENTITY/);
    expect(text.stdout.match(/^INSERT INTO SPINE_MIGRATIONS/gm)).toHaveLength(23);
    const json = JSON.parse((await spine(cwd, 'db', 'plan', '--dialect', 'db2', '--json')).stdout) as { tier: string; statements: { migrationId: string }[] };
    expect(json.tier).toBe('basic');
    expect(new Set(json.statements.map((s) => s.migrationId.split('/')[1]))).toEqual(new Set(['basic']));
    const refused = await spine(cwd, 'db', 'plan', '--dialect', 'oracle');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[INVALID_ARGUMENT]');
  });
});
