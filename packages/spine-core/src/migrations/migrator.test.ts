import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpineDb } from '../spine-db.js';
import type { SpineDb } from '../spine-db.js';
import { fixtureSource, tempDir } from '../test-support/migration-fixtures.js';
import { readLedger, readLog } from './ledger.js';
import { Migrator } from './migrator.js';
import { closeTestDatabases, testDialects } from '../testing.js';

const opened: SpineDb[] = [];
async function memoryDb(): Promise<SpineDb> {
  const db = await openSpineDb(':memory:');
  opened.push(db);
  return db;
}
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
  await closeTestDatabases();
});

async function tableNames(db: SpineDb): Promise<string[]> {
  const objects = await db.dialect.introspector.listObjects(db.executor());
  return objects.filter((o) => o.type === 'table' && !o.name.startsWith('_')).map((o) => o.name);
}

for (const dialect of testDialects()) {
  describe(`Migrator on ${dialect.name} (${dialect.backend})`, () => {
    const memoryDb = () => dialect.open();

    describe('ordering', () => {
      it('applies packages in dependency order, then tier, then number', async () => {
        const root = tempDir();
        const app = fixtureSource(
          'app',
          {
            'basic/0002_second.sql': 'CREATE TABLE app_b (id INTEGER REFERENCES base_a (id));',
            'basic/0010_tenth.sql': 'CREATE TABLE app_c (id INTEGER);',
            'basic/0001_first.sql': 'CREATE TABLE app_a (id INTEGER);',
            'intermediate/0001_inter.sql': 'CREATE TABLE app_i (id INTEGER);',
          },
          { dependsOn: ['base'], root },
        );
        const base = fixtureSource('base', { 'basic/0001_base.sql': 'CREATE TABLE base_a (id INTEGER PRIMARY KEY);' }, { root });
        const db = await memoryDb();
        const result = await new Migrator(db, { sources: [app, base], tier: 'intermediate' }).migrate();
        expect(result.status).toBe('ok');
        const ledger = await readLedger(db);
        expect(ledger.map((r) => r.migration_id)).toEqual([
          'base/basic/0001_base',
          'app/basic/0001_first',
          'app/basic/0002_second',
          'app/basic/0010_tenth',
          'app/intermediate/0001_inter',
        ]);
        expect(ledger.map((r) => r.installed_rank)).toEqual([1, 2, 3, 4, 5]);
        const row = ledger[1]!;
        expect(row).toMatchObject({ package: '@fixture/app', package_version: '1.0.0', tier: 'basic', dialect: dialect.name, success: 1, description: 'first' });
        expect(row.applied_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      });

      it('applies only the tiers the configuration includes', async () => {
        const source = fixtureSource('t', {
          'basic/0001_b.sql': 'CREATE TABLE tb (id INTEGER);',
          'intermediate/0001_i.sql': 'CREATE TABLE ti (id INTEGER);',
          'advanced/0001_a.sql': 'CREATE TABLE ta (id INTEGER);',
        });
        const db = await memoryDb();
        await new Migrator(db, { sources: [source] }).migrate();
        expect(await tableNames(db)).toEqual(['tb']);
        await new Migrator(db, { sources: [source], tier: 'advanced' }).migrate();
        expect((await tableNames(db)).sort()).toEqual(['ta', 'tb', 'ti']);
        // Back at basic, the higher tiers stay applied and known.
        const status = await new Migrator(db, { sources: [source] }).status();
        expect(status.entries.map((e) => e.state)).toEqual(['applied', 'applied', 'applied']);
      });

      it('is a no-op when nothing is pending', async () => {
        const source = fixtureSource('n', { 'basic/0001_x.sql': 'CREATE TABLE x (id INTEGER);' });
        const db = await memoryDb();
        const migrator = new Migrator(db, { sources: [source] });
        expect(await migrator.migrate()).toMatchObject({ status: 'ok', applied: [{ id: 'n/basic/0001_x' }] });
        expect(await migrator.migrate()).toEqual({ status: 'ok', applied: [] });
        expect(await readLedger(db)).toHaveLength(1);
      });

      it('stops at --to', async () => {
        const source = fixtureSource('s', {
          'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);',
          'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);',
        });
        const db = await memoryDb();
        const result = await new Migrator(db, { sources: [source] }).migrate({ to: 's/basic/0001_a' });
        expect(result).toMatchObject({ status: 'ok', applied: [{ id: 's/basic/0001_a' }] });
        await expect(new Migrator(db, { sources: [source] }).migrate({ to: 's/basic/9999_nope' })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
      });
    });

    describe('atomicity', () => {
      it('rolls a failing migration back completely and records the failure apart from the ledger', async () => {
        const source = fixtureSource('f', {
          'basic/0001_ok.sql': 'CREATE TABLE ok_table (id INTEGER);',
          'basic/0002_bad.sql': [
            'CREATE TABLE half_a (id INTEGER);',
            "INSERT INTO ok_table (id) VALUES (1);",
            '-- the next statement fails',
            'INSERT INTO missing_table (id) VALUES (1);',
            'CREATE TABLE half_b (id INTEGER);',
          ].join('\n'),
          'basic/0003_after.sql': 'CREATE TABLE after_table (id INTEGER);',
        });
        const db = await memoryDb();
        const result = await new Migrator(db, { sources: [source] }).migrate();
        expect(result.status).toBe('failed');
        if (result.status !== 'failed') return;
        expect(result.applied.map((a) => a.id)).toEqual(['f/basic/0001_ok']);
        expect(result.failure).toMatchObject({
          migrationId: 'f/basic/0002_bad',
          line: 4,
          statement: 'INSERT INTO missing_table (id) VALUES (1)',
          code: 'MIGRATION_FAILED',
          driverCode: dialect.name === 'sqlite' ? 'SQLITE_ERROR' : '42P01',
        });
        expect(result.failure.message).toMatch(/no such table: missing_table|relation "missing_table" does not exist/);
        expect(await tableNames(db)).toEqual(['ok_table']);
        const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM ok_table`.execute(db.kysely);
        expect(rows.rows[0]?.n).toBe(0);
        expect((await readLedger(db)).map((r) => r.migration_id)).toEqual(['f/basic/0001_ok']);
        const failures = await readLog(db, 'failed');
        expect(failures).toHaveLength(1);
        expect(failures[0]).toMatchObject({ event: 'failed', migration_id: 'f/basic/0002_bad', statement_line: 4 });
        expect(failures[0]?.message).toContain('missing_table');
      });

      it('refuses to run anything when a pending script cannot be split', async () => {
        const source = fixtureSource('p', {
          'basic/0001_fine.sql': 'CREATE TABLE fine (id INTEGER);',
          'basic/0002_broken.sql': "CREATE TABLE broken (id INTEGER;\nSELECT 'unterminated",
        });
        const db = await memoryDb();
        const result = await new Migrator(db, { sources: [source] }).migrate();
        expect(result).toMatchObject({ status: 'refused', code: 'MIGRATION_PARSE_FAILED', migrations: ['p/basic/0002_broken'] });
        expect(await tableNames(db)).toEqual([]);
      });
    });

    describe('checksums', () => {
      it('keeps the checksum across CRLF and trailing-blank edits and refuses real edits', async () => {
        const source = fixtureSource('c', { 'basic/0001_t.sql': 'CREATE TABLE t (id INTEGER);\n' });
        const file = join(source.directory, 'basic/0001_t.sql');
        const db = await memoryDb();
        const migrator = new Migrator(db, { sources: [source] });
        await migrator.migrate();

        writeFileSync(file, 'CREATE TABLE t (id INTEGER);   \r\n\r\n\r\n');
        expect((await migrator.status()).entries[0]?.state).toBe('applied');

        appendFileSync(file, 'CREATE INDEX t_id ON t (id);\n');
        const status = await migrator.status();
        expect(status.entries[0]).toMatchObject({ state: 'changed' });
        expect(status.entries[0]?.checksum).not.toBe(status.entries[0]?.appliedChecksum);
        const result = await migrator.migrate();
        expect(result).toMatchObject({ status: 'refused', code: 'MIGRATION_CHECKSUM_MISMATCH', migrations: ['c/basic/0001_t'] });
        if (result.status === 'refused') expect(result.hint).toContain(file);
      });

      it('refuses a database that holds migrations this build does not know', async () => {
        const newer = fixtureSource('v', { 'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);', 'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);' });
        const older = fixtureSource('v', { 'basic/0001_a.sql': 'CREATE TABLE a (id INTEGER);' });
        const db = await memoryDb();
        await new Migrator(db, { sources: [newer] }).migrate();
        const status = await new Migrator(db, { sources: [older] }).status();
        expect(status.entries.map((e) => [e.id, e.state])).toEqual([
          ['v/basic/0001_a', 'applied'],
          ['v/basic/0002_b', 'future'],
        ]);
        expect(await new Migrator(db, { sources: [older] }).migrate()).toMatchObject({ status: 'refused', code: 'MIGRATION_FUTURE' });
      });

      it('refuses out-of-order pending migrations unless allowed', async () => {
        const first = fixtureSource('o', { 'basic/0002_b.sql': 'CREATE TABLE b (id INTEGER);' });
        const db = await memoryDb();
        await new Migrator(db, { sources: [first] }).migrate();
        writeFileSync(join(first.directory, 'basic/0001_a.sql'), 'CREATE TABLE a (id INTEGER);');
        const migrator = new Migrator(db, { sources: [first] });
        expect((await migrator.status()).entries[0]).toMatchObject({ id: 'o/basic/0001_a', state: 'out-of-order' });
        expect(await migrator.migrate()).toMatchObject({ status: 'refused', code: 'MIGRATION_OUT_OF_ORDER' });
        expect(await new Migrator(db, { sources: [first], allowOutOfOrder: true }).migrate()).toMatchObject({
          status: 'ok',
          applied: [{ id: 'o/basic/0001_a' }],
        });
      });

      it('honours -- spine:requires and -- spine:no-transaction headers', async () => {
        const source = fixtureSource('h', {
          'basic/0001_a.sql': '-- spine:no-transaction\n-- spine:description create a\nCREATE TABLE a (id INTEGER);',
          'intermediate/0001_b.sql': '-- spine:requires h/advanced/0001_c\nCREATE TABLE b (id INTEGER);',
          'advanced/0001_c.sql': 'CREATE TABLE c (id INTEGER);',
        });
        const db = await memoryDb();
        const refused = await new Migrator(db, { sources: [source], tier: 'intermediate' }).migrate();
        expect(refused).toMatchObject({ status: 'refused', code: 'MIGRATION_REQUIRES_UNMET', migrations: ['h/intermediate/0001_b'] });
        expect(await tableNames(db)).toEqual([]);
        const ledger = async () => (await readLedger(db)).map((r) => [r.migration_id, r.description]);
        await new Migrator(db, { sources: [source] }).migrate();
        expect(await ledger()).toEqual([['h/basic/0001_a', 'create a']]);
      });
    });
  });
}

describe('Migrator idempotent ADD COLUMN (SQLite)', () => {
  const base = 'CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, version TEXT DEFAULT \'v1\' NOT NULL);';

  it('skips ADD COLUMN of an existing column with the same definition', async () => {
    const source = fixtureSource('a', {
      'basic/0001_q.sql': base,
      'basic/0002_add.sql': "ALTER TABLE q ADD COLUMN note TEXT DEFAULT 'n/a' CHECK (length(note) < 100);",
      'basic/0003_again.sql': "-- same column, other spelling\nalter table Q add   note text   default 'n/a'\n  check (LENGTH(note) < 100);\nALTER TABLE q ADD COLUMN extra INTEGER;",
    });
    const db = await memoryDb();
    const result = await new Migrator(db, { sources: [source] }).migrate();
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    const again = result.applied.find((a) => a.id === 'a/basic/0003_again');
    expect(again).toMatchObject({ statements: 1, skipped: [{ line: 2, reason: 'column Q.note already exists with the same definition' }] });
    const columns = await db.dialect.introspector.columns(db.executor(), 'q');
    expect(columns.map((c) => c.name)).toEqual(['id', 'version', 'note', 'extra']);
  });

  it('refuses ADD COLUMN of an existing column with another definition and rolls back', async () => {
    const source = fixtureSource('d', {
      'basic/0001_q.sql': base,
      'basic/0002_add.sql': 'CREATE TABLE side (id INTEGER);\nALTER TABLE q ADD COLUMN version INTEGER DEFAULT 1;',
    });
    const db = await memoryDb();
    const result = await new Migrator(db, { sources: [source] }).migrate();
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.failure).toMatchObject({ migrationId: 'd/basic/0002_add', code: 'MIGRATION_COLUMN_CONFLICT', line: 2 });
    expect(result.failure.message).toContain("existing \"version TEXT DEFAULT 'v1' NOT NULL\"");
    expect(result.failure.message).toContain('migration wants "version INTEGER DEFAULT 1"');
    expect(await tableNames(db)).toEqual(['q']);
  });
});

describe('Migrator statement splitting (SQLite)', () => {
  it('counts ALTER TABLE … RENAME TO as dropping the old name and creating the new one (what baseline checks)', async () => {
    const db = await memoryDb();
    const [create, rename] = db.dialect.splitStatements('CREATE TABLE t_v2 (id INTEGER);\nALTER TABLE t_v2 RENAME TO t;', 'rename.sql');
    expect(create?.creates).toEqual([{ type: 'table', name: 't_v2' }]);
    expect([rename?.drops, rename?.creates]).toEqual([[{ type: 'table', name: 't_v2' }], [{ type: 'table', name: 't' }]]);
    const source = fixtureSource('rn', { 'basic/0001_swap.sql': 'CREATE TABLE t_v2 (id INTEGER);\nALTER TABLE t_v2 RENAME TO t;' });
    await db.executor().exec('CREATE TABLE t (id INTEGER)');
    expect(await new Migrator(db, { sources: [source] }).baseline({ to: 'rn/basic/0001_swap' })).toMatchObject({ status: 'ok' });
  });

  it('keeps semicolons in strings, comments, quoted names and trigger bodies', async () => {
    const script = readFileSync(new URL('./fixtures/tokenizer-edge-cases.sql', import.meta.url), 'utf8');
    const db = await memoryDb();
    const statements = db.dialect.splitStatements(script, 'tokenizer-edge-cases.sql');
    expect(statements.map((s) => [s.line, s.creates])).toEqual([
      [3, [{ type: 'table', name: 'odd;name' }]],
      [9, [{ type: 'index', name: 'idx_begin_end' }]],
      [12, [{ type: 'trigger', name: 'trg_trend' }]],
      [21, [{ type: 'view', name: 'v_latest' }]],
      [24, []],
    ]);
    const source = fixtureSource('k', { 'basic/0001_edge.sql': script });
    const result = await new Migrator(db, { sources: [source] }).migrate();
    expect(result).toMatchObject({ status: 'ok', applied: [{ statements: 5 }] });
    await sql`INSERT INTO "odd;name" (week_ending, trend, "begin;end") VALUES ('2025-11-14', 'x', 'end;')`.execute(db.kysely);
    const rows = await sql<{ trend: string; note: string }>`SELECT trend, note FROM v_latest`.execute(db.kysely);
    expect(rows.rows).toEqual([{ trend: 'UP;', note: "it's; -- not a comment" }]);
  });
});

for (const dialect of testDialects()) {
  // PGlite lives inside one process: two processes cannot share it.
  const needsServer = dialect.backend === 'pglite';
  describe(`Migrator across processes on ${dialect.name} (${dialect.backend})`, () => {
    it.skipIf(needsServer)(`lets two processes migrate one database and applies each migration once${needsServer ? ' — skipped: needs a PostgreSQL server, set SPINE_TEST_PG_URL' : ''}`, async () => {
      const { spawn } = await import('node:child_process');
      const dir = tempDir();
      const dbPath = dialect.name === 'sqlite' ? join(dir, 'shared.db') : dialect.newTarget();
      const files: Record<string, string> = {};
      for (let i = 1; i <= 12; i += 1) files[`basic/${String(i).padStart(4, '0')}_m${i}.sql`] = `CREATE TABLE m${i} (id INTEGER);`;
      const source = fixtureSource('race', files, { root: dir });
      const script = join(dir, 'migrate.mts');
      const migratorUrl = new URL('./migrator.ts', import.meta.url).href;
      const dbUrl = new URL('../spine-db.ts', import.meta.url).href;
      writeFileSync(
        script,
        `import { Migrator } from ${JSON.stringify(migratorUrl)};
  import { openSpineDb } from ${JSON.stringify(dbUrl)};
  const db = await openSpineDb({ target: ${JSON.stringify(dbPath)}, busyTimeoutMs: 20000 });
  const result = await new Migrator(db, { sources: [${JSON.stringify(source)}] }).migrate();
  await db.close();
  console.log(JSON.stringify({ status: result.status, applied: result.status === 'refused' ? [] : result.applied.length }));
  `,
      );
      const run = () =>
        new Promise<{ status: string; applied: number }>((resolveRun, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', (code) => (code === 0 ? resolveRun(JSON.parse(out.trim().split('\n').pop() ?? '{}')) : reject(new Error(err))));
        });
      const results = await Promise.all([run(), run()]);
      expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
      expect(results[0]!.applied + results[1]!.applied).toBe(12);
      const db = await openSpineDb(dbPath);
      opened.push(db);
      expect((await readLedger(db)).map((r) => r.installed_rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });
  });
}
