import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../core-migrations.js';
import { openSpineDb } from '../spine-db.js';
import type { SpineDb } from '../spine-db.js';
import { fixtureSource, tempDir } from '../test-support/migration-fixtures.js';
import { readLedger, readLog } from './ledger.js';
import { Migrator } from './migrator.js';
import { closeTestDatabases, testDialects } from '../testing.js';

const opened: SpineDb[] = [];
/** Opens a target that a test opens more than once (closed after each test). */
async function openShared(target: string): Promise<SpineDb> {
  const db = await openSpineDb(target);
  opened.push(db);
  return db;
}
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
  await closeTestDatabases();
});

const names = async (db: SpineDb, type = 'table') =>
  (await db.dialect.introspector.listObjects(db.executor())).filter((o) => o.type === type && !o.name.startsWith('_') && !o.name.startsWith('sqlite_')).map((o) => o.name);

for (const dialect of testDialects()) {
  describe(`migrator operations on ${dialect.name} (${dialect.backend})`, () => {
    const open = () => dialect.open();

    describe('plan and validate', () => {
      it('plans pending migrations in order with their SQL and transaction mode, without touching the database', async () => {
        const source = fixtureSource('p', {
          'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);\nCREATE INDEX a_id ON a (id);',
          'basic/0002_b.sql': '-- spine:no-transaction\nCREATE TABLE b (id INTEGER);',
        });
        const db = await open();
        const plan = await new Migrator(db, { sources: [source] }).plan();
        expect(plan.refusal).toBeNull();
        expect(plan.migrations.map((m) => [m.id, m.transactional, m.statements.map((s) => [s.line, s.text])])).toEqual([
          ['p/basic/0001_a', true, [[1, 'CREATE TABLE a (id INTEGER)'], [2, 'CREATE INDEX a_id ON a (id)']]],
          ['p/basic/0002_b', false, [[2, 'CREATE TABLE b (id INTEGER)']]],
        ]);
        expect(plan.migrations[1]?.sql).toBe('-- spine:no-transaction\nCREATE TABLE b (id INTEGER);');
        expect((await db.dialect.introspector.listObjects(db.executor())).length).toBe(0);
        const upTo = await new Migrator(db, { sources: [source] }).plan({ to: 'p/basic/0001_a' });
        expect(upTo.migrations.map((m) => m.id)).toEqual(['p/basic/0001_a']);
      });

      it('reports changed, missing, out-of-order and future migrations and validates accordingly', async () => {
        const root = tempDir();
        const source = fixtureSource('v', { 'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);', 'basic/0003_c.sql': 'CREATE TABLE c (id INTEGER);', 'basic/0004_d.sql': 'CREATE TABLE d (id INTEGER);' }, { root });
        const db = await open();
        await new Migrator(db, { sources: [source] }).migrate();
        appendFileSync(join(source.directory, 'basic/0002_b.sql'), '\n-- edited');
        unlinkSync(join(source.directory, 'basic/0003_c.sql'));
        writeFileSync(join(source.directory, 'basic/0001_a.sql'), 'CREATE TABLE a (id INTEGER);');
        await db.executor().exec(
          "INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, installed_rank) VALUES ('v/basic/0009_z', '@fixture/v', '9.0.0', 'basic', 'sqlite', 'z', 'x', '2026-01-01T00:00:00Z', 'me', 1, 99)",
        );
        const migrator = new Migrator(db, { sources: [source] });
        const status = await migrator.status();
        expect(status.entries.map((e) => [e.id, e.state])).toEqual([
          ['v/basic/0001_a', 'out-of-order'],
          ['v/basic/0002_b', 'changed'],
          ['v/basic/0004_d', 'applied'],
          ['v/basic/0003_c', 'missing'],
          ['v/basic/0009_z', 'future'],
        ]);
        const result = await migrator.validate();
        expect(result.status).toBe('invalid');
        if (result.status === 'invalid') expect(result.problems.map((p) => p.state).sort()).toEqual(['changed', 'future', 'missing', 'out-of-order']);
        expect(await migrator.migrate()).toMatchObject({ status: 'refused', code: 'MIGRATION_FUTURE' });
      });
    });

    describe('baseline and repair', () => {
      it('adopts a database built without the ledger after checking its objects exist', async () => {
        const source = fixtureSource('b', {
          'basic/0001_t.sql': 'CREATE TABLE t (id INTEGER);\nCREATE INDEX t_id ON t (id);',
          'basic/0002_tmp.sql': 'CREATE TABLE tmp (id INTEGER);\nDROP TABLE tmp;\nCREATE VIEW v AS SELECT id FROM t;',
          'basic/0003_u.sql': 'CREATE TABLE u (id INTEGER);',
        });
        const db = await open();
        await db.executor().exec('CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1)');
        const migrator = new Migrator(db, { sources: [source] });
        const refused = await migrator.baseline({ to: 'b/basic/0002_tmp' });
        expect(refused).toMatchObject({ status: 'refused', code: 'VERIFY_FAILED' });
        if (refused.status === 'refused') expect(refused.message).toContain('index t_id (b/basic/0001_t), view v (b/basic/0002_tmp)');
        await db.executor().exec('CREATE INDEX t_id ON t (id); CREATE VIEW v AS SELECT id FROM t');
        expect(await migrator.baseline({ to: 'b/basic/0002_tmp' })).toEqual({ status: 'ok', baselined: ['b/basic/0001_t', 'b/basic/0002_tmp'] });
        expect((await readLedger(db)).map((r) => [r.migration_id, r.kind, r.execution_time_ms])).toEqual([
          ['b/basic/0001_t', 'baseline', 0],
          ['b/basic/0002_tmp', 'baseline', 0],
        ]);
        expect((await readLog(db, 'baselined')).length).toBe(2);
        expect(await migrator.migrate()).toMatchObject({ status: 'ok', applied: [{ id: 'b/basic/0003_u' }] });
        expect((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db.kysely)).rows[0]?.n).toBe(1);
        expect(await migrator.baseline({ to: 'b/basic/0001_t' })).toMatchObject({ status: 'refused', message: expect.stringContaining('already has a ledger') });
      });

      it('re-records one changed checksum with a reason, and only that one', async () => {
        const source = fixtureSource('r', { 'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);', 'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);' });
        const db = await open();
        const migrator = new Migrator(db, { sources: [source] });
        await migrator.migrate();
        appendFileSync(join(source.directory, 'basic/0001_a.sql'), '\n-- clarified comment');
        appendFileSync(join(source.directory, 'basic/0002_b.sql'), '\n-- another');
        await expect(migrator.repair('r/basic/0001_a', '  ')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        const result = await migrator.repair('r/basic/0001_a', 'comment added after review');
        expect(result.status).toBe('ok');
        expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'changed']);
        expect(await migrator.repair('r/basic/0001_a', 'again')).toMatchObject({ status: 'unchanged' });
        const [log] = await readLog(db, 'repaired');
        expect(log).toMatchObject({ migration_id: 'r/basic/0001_a', message: 'comment added after review' });
        expect(log?.previous_checksum).not.toBe(log?.checksum);
      });
    });

    describe('rollback', () => {
      it('runs the down scripts newest first, each with its ledger row, and refuses a range without downs', async () => {
        const source = fixtureSource('d', {
          'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);',
          'basic/0001_a.down.sql': 'DROP TABLE a;',
          'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);',
          'basic/0002_b.down.sql': 'DROP TABLE b;',
          'basic/0003_c.sql': 'CREATE TABLE c (id INTEGER);',
        });
        const db = await open();
        const migrator = new Migrator(db, { sources: [source] });
        await migrator.migrate();
        const refused = await migrator.rollback({ steps: 2 });
        expect(refused).toMatchObject({ status: 'refused', code: 'ROLLBACK_REFUSED' });
        expect((await names(db)).sort()).toEqual(['a', 'b', 'c']);
        writeFileSync(join(source.directory, 'basic/0003_c.down.sql'), 'DROP TABLE c;');
        // The down of c was added after c was applied (no recorded down checksum): allowed.
        const result = await migrator.rollback({ to: 'd/basic/0001_a' });
        expect(result).toMatchObject({ status: 'ok', rolledBack: [{ id: 'd/basic/0003_c' }, { id: 'd/basic/0002_b' }] });
        expect(await names(db)).toEqual(['a']);
        expect((await readLedger(db)).map((r) => r.migration_id)).toEqual(['d/basic/0001_a']);
        expect((await readLog(db, 'rolled_back')).map((l) => l.migration_id)).toEqual(['d/basic/0002_b', 'd/basic/0003_c']);
        expect(await migrator.migrate()).toMatchObject({ status: 'ok', applied: [{ id: 'd/basic/0002_b' }, { id: 'd/basic/0003_c' }] });
      });

      it('refuses when a down script changed since it was applied, and rolls back a failing down atomically', async () => {
        const source = fixtureSource('e', {
          'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);\nCREATE TABLE a2 (id INTEGER);',
          'basic/0001_a.down.sql': 'DROP TABLE a2;\nDROP TABLE missing_table;',
        });
        const db = await open();
        const migrator = new Migrator(db, { sources: [source] });
        await migrator.migrate();
        const failed = await migrator.rollback({ steps: 1 });
        expect(failed).toMatchObject({ status: 'failed', failure: { migrationId: 'e/basic/0001_a', line: 2 } });
        expect((await names(db)).sort()).toEqual(['a', 'a2']);
        expect(await readLedger(db)).toHaveLength(1);
        writeFileSync(join(source.directory, 'basic/0001_a.down.sql'), 'DROP TABLE a2;\nDROP TABLE a;');
        expect(await migrator.rollback({ steps: 1 })).toMatchObject({ status: 'refused', code: 'ROLLBACK_REFUSED', message: expect.stringContaining('down script changed') });
      });

      it("undoes every shipped core migration and applies them again (the packages' down scripts work)", async () => {
        const db = await open();
        const migrator = new Migrator(db, { sources: [coreMigrationSource()], tier: 'advanced' });
        const applied = await migrator.migrate();
        expect(applied.status).toBe('ok');
        const tables = (await names(db)).sort();
        const result = await migrator.rollback({ steps: applied.status === 'ok' ? applied.applied.length : 0 });
        expect(result).toMatchObject({ status: 'ok' });
        expect(await names(db)).toEqual([]);
        expect(await names(db, 'index')).toEqual([]);
        expect(await migrator.migrate()).toMatchObject({ status: 'ok' });
        expect((await names(db)).sort()).toEqual(tables);
        expect((await migrator.verify()).status).toBe('ok');
      });
    });

    describe('directives', () => {
      it('selects -- spine:feature migrations only when the feature is enabled, and rejects unknown features', async () => {
        const source = fixtureSource('f', {
          'basic/0001_core.sql': 'CREATE TABLE core_t (id INTEGER);',
          'basic/0002_optional.sql': '-- spine:feature track_extra\nCREATE TABLE extra (id INTEGER);',
        });
        const db = await open();
        await new Migrator(db, { sources: [source] }).migrate();
        expect(await names(db)).toEqual(['core_t']);
        await new Migrator(db, { sources: [source], features: { track_extra: true } }).migrate();
        expect((await names(db)).sort()).toEqual(['core_t', 'extra']);
        expect(() => new Migrator(db, { sources: [source], features: { track_extra: true, tracc_typo: true } }).selected()).toThrow(
          expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('tracc_typo') }),
        );
      });
    });

    describe('verify', () => {
      it('passes on a freshly migrated database, reports drift, and ignores scratch tables', async () => {
        const db = await open();
        const migrator = new Migrator(db, { sources: [coreMigrationSource()] });
        await migrator.migrate();
        await db.executor().exec('CREATE TABLE _scratch_analyst_idea (x INTEGER); CREATE TABLE _exp_hhi (y REAL)');
        const ok = await migrator.verify();
        expect(ok.status).toBe('ok');
        expect(ok.checks.map((c) => [c.name, c.status])).toEqual([
          ['integrity', 'ok'],
          ['foreign_keys', 'ok'],
          ['checksums', 'ok'],
          ['objects', 'ok'],
          ['drift', 'ok'],
        ]);
        await db.executor().exec('DROP INDEX idx_core_manifest_batch; ALTER TABLE core_anomalies ADD COLUMN note TEXT; CREATE TABLE stray (id INTEGER)');
        const drifted = await migrator.verify();
        expect(drifted.status).toBe('failed');
        expect(drifted.missingObjects).toEqual([{ type: 'index', name: 'idx_core_manifest_batch' }]);
        expect(drifted.drift.map((d) => [d.kind, d.objectType, d.name])).toEqual(
          expect.arrayContaining([
            ['missing', 'index', 'idx_core_manifest_batch'],
            ['extra', 'column', 'note'],
            ['extra', 'table', 'stray'],
          ]),
        );
      });
    });

    describe('the migration lock', () => {
      // PGlite lives inside this process: its lock is a no-op, like SQLite's :memory:.
      const serverless = dialect.backend === 'pglite';
      const skipped = serverless ? ' — skipped: needs a PostgreSQL server, set SPINE_TEST_PG_URL' : '';
      it.skipIf(serverless)(`makes a second migrator wait, then find nothing pending${skipped}`, async () => {
        const files: Record<string, string> = {};
        for (let i = 1; i <= 8; i += 1) files[`basic/${String(i).padStart(4, '0')}_m${i}.sql`] = `CREATE TABLE m${i} (id INTEGER);`;
        const source = fixtureSource('l', files);
        const path = dialect.newTarget();
        const [a, b] = [await openShared(path), await openShared(path)];
        const events: string[] = [];
        const [ra, rb] = await Promise.all([
          new Migrator(a, { sources: [source] }).migrate({ onEvent: (e) => events.push(`a:${e.type}`) }),
          new Migrator(b, { sources: [source] }).migrate({ onEvent: (e) => events.push(`b:${e.type}`) }),
        ]);
        const counts = [ra, rb].map((r) => (r.status === 'ok' ? r.applied.length : -1)).sort();
        expect(counts).toEqual([0, 8]);
        expect(events.some((e) => e.endsWith(':waiting-for-lock'))).toBe(true);
        expect(await readLedger(a)).toHaveLength(8);
      });

      it.skipIf(serverless)(`fails with "locked by …" after the timeout, and a killed holder leaves no stale lock${skipped}`, async () => {
        const dir = tempDir();
        const path = dialect.name === 'sqlite' ? join(dir, 'held.db') : dialect.newTarget();
        const db = await openShared(path);
        // A child process takes the lock and then hangs until killed.
        const script = join(dir, 'hold.mts');
        writeFileSync(
          script,
          `import { openSpineDb } from ${JSON.stringify(new URL('../spine-db.ts', import.meta.url).href)};
    const db = await openSpineDb(${JSON.stringify(path)});
    await db.dialect.acquireMigrationLock({ timeoutMs: 1000, purpose: 'test holder' });
    console.log('held');
    setInterval(() => {}, 1000);
    `,
        );
        const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
        const source = fixtureSource('h', { 'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);' });
        await expect(new Migrator(db, { sources: [source], lockTimeoutMs: 300 }).migrate()).rejects.toMatchObject({
          code: 'MIGRATION_LOCKED',
          message: expect.stringMatching(new RegExp(`locked by pid ${child.pid} on .* \\(test holder\\)`)),
        });
        child.kill('SIGKILL');
        await new Promise((resolve) => child.on('close', resolve));
        // SQLite: the holder's note outlives it, but it is never the lock itself.
        if (dialect.name === 'sqlite') expect(existsSync(`${path}.migrate-lock.json`)).toBe(true);
        expect(await new Migrator(db, { sources: [source], lockTimeoutMs: 2000 }).migrate()).toMatchObject({ status: 'ok', applied: [{ id: 'h/basic/0001_a' }] });
      });
    });
  });
}

describe('the table rebuild directive (SQLite)', () => {
  it('rebuilds a table with -- spine:rebuild, keeping rows and children, in one transaction with the ledger row', async () => {
    const source = fixtureSource('t', {
      'basic/0001_parent.sql': [
        'CREATE TABLE parent (id INTEGER PRIMARY KEY, price TEXT);',
        'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE);',
        'CREATE INDEX parent_price ON parent (price);',
      ].join('\n'),
      'basic/0002_price_real.sql': [
        '-- spine:rebuild parent',
        'CREATE TABLE parent (id INTEGER PRIMARY KEY, price REAL NOT NULL DEFAULT 0 CHECK (price >= 0));',
        'CREATE INDEX IF NOT EXISTS parent_price_desc ON parent (price DESC);',
      ].join('\n'),
    });
    const db = await openShared(':memory:');
    const migrator = new Migrator(db, { sources: [source] });
    await migrator.migrate({ to: 't/basic/0001_parent' });
    await db.executor().exec("INSERT INTO parent VALUES (1, '10.5'), (2, '3'); INSERT INTO child VALUES (10, 1), (11, 1), (12, 2)");
    expect(await migrator.migrate()).toMatchObject({ status: 'ok', applied: [{ id: 't/basic/0002_price_real' }] });
    const prices = await sql<{ price: number; t: string }>`SELECT price, typeof(price) AS t FROM parent ORDER BY id`.execute(db.kysely);
    expect(prices.rows).toEqual([{ price: 10.5, t: 'real' }, { price: 3, t: 'real' }]);
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM child`.execute(db.kysely)).rows[0]?.n).toBe(3);
    await db.executor().exec('DELETE FROM parent WHERE id = 1');
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM child`.execute(db.kysely)).rows[0]?.n).toBe(1);
    expect((await names(db, 'index')).sort()).toEqual(['parent_price', 'parent_price_desc']);
    await expect(db.executor().exec('INSERT INTO parent VALUES (5, -1)')).rejects.toThrow(/CHECK constraint failed/);
    expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db.kysely)).rows[0]?.foreign_keys).toBe(1);
  });
});
