import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSpineDb } from '@market-spine/core';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { captureTables, finraMigrationSource, sampleFiles } from '@market-spine/domains-finra';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.js';
import { spine, tempCwd } from '../test-support/cli.js';

/** Runs `spine --db <db> <args> --json` and parses stdout; the exit code must be `code`. */
async function json<T>(cwd: string, db: string, code: number, ...args: string[]): Promise<T> {
  const run = await spine(cwd, '--db', db, ...args, '--json');
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code);
  return JSON.parse(run.stdout) as T;
}

/** Moves a capture back to 2023 in every table that records captured_at. */
async function backdate(target: string, captureId: string): Promise<void> {
  const db = await openSpineDb(target);
  try {
    for (const { name, columns } of await captureTables(db)) {
      if (columns.includes('captured_at')) await db.kysely.updateTable(name).set({ captured_at: '2023-03-03T00:00:00.000Z' }).where('capture_id', '=', captureId).execute();
    }
  } finally {
    await db.close();
  }
}

for (const dialect of testDialects()) {
  describe(`spine ops on ${dialect.name} (${dialect.backend})`, () => {
    afterAll(closeTestDatabases);

    it('analyzes, sizes, explains, keeps scratch tables and experiments out of verify, promotes, archives and restores', async () => {
      const cwd = tempCwd();
      const db = dialect.newTarget();
      const [first] = sampleFiles() as [string];
      expect((await spine(cwd, '--db', db, 'db', 'migrate')).code).toBe(0);
      const loaded = await json<{ partitions: { captureId: string }[] }>(cwd, db, 0, 'finra', 'run', first);

      const sizes = await json<{ databaseBytes: number; tables: { table: string; totalBytes: number }[] }>(cwd, db, 0, 'ops', 'sizes');
      expect(sizes.tables.find((t) => t.table === 'finra_otc_transparency_raw')?.totalBytes).toBeGreaterThan(500_000);
      expect(await json(cwd, db, 0, 'ops', 'analyze', 'finra_otc_transparency_raw')).toEqual({ status: 'analyzed', tables: ['finra_otc_transparency_raw'] });
      expect((await spine(cwd, '--db', db, 'ops', 'analyze', 'no_such_table')).code).toBe(ExitCode.USAGE);

      const lookup = await spine(cwd, '--db', db, 'ops', 'explain', "SELECT * FROM finra_otc_transparency_raw WHERE symbol = 'AABB'");
      expect(lookup.code, lookup.stdout).toBe(0);
      expect(lookup.stdout).toContain('✓ No full table scan.');
      const scan = await spine(cwd, '--db', db, 'ops', 'explain', "SELECT * FROM finra_otc_transparency_raw AS r WHERE r.raw_line LIKE '%ARCA%'");
      expect(scan.code).toBe(ExitCode.FAILED);
      expect(scan.stdout).toContain('✗ Full scan of finra_otc_transparency_raw');

      const created = await json<{ object: { rows: number } }>(cwd, db, 0, 'ops', 'scratch', 'create', '_scratch_big_venues', '--as',
        'SELECT week_ending, tier, symbol, mpid, total_volume, captured_at, capture_id FROM finra_otc_transparency_weekly_symbol_venue_volume WHERE total_volume > 1000000');
      // Venue rows of the file with more than 1,000,000 shares, counted independently with a short script.
      expect(created.object.rows).toBe(86);
      expect((await json<{ status: string }>(cwd, db, 0, 'ops', 'experiments', 'create', 'venue-volume-percentiles')).status).toBe('created');
      const listed = await json<{ objects: { name: string; kind: string; ageSeconds: number | null }[] }>(cwd, db, 0, 'ops', 'scratch', 'list');
      expect(listed.objects.map((o) => [o.name, o.kind])).toEqual([
        ['_scratch_big_venues', 'table'],
        ['_exp_finra_otc_transparency_venue_volume_percentiles', 'view'],
      ]);
      expect(listed.objects[0]?.ageSeconds).toBeGreaterThanOrEqual(0);
      expect((await spine(cwd, '--db', db, 'db', 'verify')).code).toBe(0);

      // Promotion writes into a copy of the package's migrations folder, never the real one.
      const migrations = join(cwd, 'finra-migrations');
      cpSync(finraMigrationSource().directory, migrations, { recursive: true });
      const promoted = await json<{ migrationId: string; files: string[]; calcEntryStub: string }>(
        cwd, db, 0, 'ops', 'promote', '_scratch_big_venues', '--to', 'finra_otc_transparency_big_venue_volume', '--migrations-dir', migrations,
      );
      expect(promoted.migrationId).toMatch(/^domains-finra\/basic\/\d{4}_big_venue_volume$/);
      expect(promoted.files).toHaveLength(6);
      expect(promoted.calcEntryStub).toContain("business_keys: ['week_ending', 'tier', 'symbol', 'mpid'],");
      expect(readFileSync(promoted.files[0] as string, 'utf8')).toContain('CREATE INDEX IF NOT EXISTS idx_fotc_big_venue_volume_latest ON finra_otc_transparency_big_venue_volume');
      expect(readdirSync(join(finraMigrationSource().directory, 'basic')).some((f) => f.includes('big_venue_volume'))).toBe(false);

      expect((await spine(cwd, '--db', db, 'ops', 'scratch', 'drop', '_scratch_big_venues')).code).toBe(ExitCode.USAGE);
      expect(await json(cwd, db, 0, 'ops', 'scratch', 'drop', '_scratch_big_venues', '--yes')).toMatchObject({ status: 'dropped', rows: 86 });
      const vacuum = await json<{ bytesBefore: number; bytesAfter: number; reclaimedBytes: number }>(cwd, db, 0, 'ops', 'vacuum');
      expect(vacuum.reclaimedBytes).toBe(vacuum.bytesBefore - vacuum.bytesAfter);

      // A revision of the week makes the first capture an old, archivable one once it is moved back to 2023.
      const revision = join(cwd, 'finra_otc_weekly_otc_20251215_revised.csv');
      writeFileSync(revision, readFileSync(first, 'utf8').replace('|OTCN|6753871|171|2025-12-15', '|OTCN|6853871|172|2026-01-05'));
      expect((await spine(cwd, '--db', db, 'finra', 'run', revision)).code).toBe(0);
      await backdate(db, loaded.partitions[0]?.captureId as string);
      const out = join(cwd, 'archive.jsonl.gz');
      const archived = await json<{ status: string; captures: unknown[]; tables: { name: string; rows: number }[] }>(cwd, db, 0, 'ops', 'archive', '--older-than', '2y', '--out', out);
      expect(archived).toMatchObject({ status: 'archived', captures: [{ capture_id: loaded.partitions[0]?.captureId }] });
      expect(archived.tables.find((t) => t.name === 'finra_otc_transparency_raw')?.rows).toBe(5328);
      expect(existsSync(out)).toBe(true);
      const restored = await spine(cwd, '--db', db, 'ops', 'restore-archive', out);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('✓ Restored 1 capture(s)');
      expect((await spine(cwd, '--db', db, 'ops', 'restore-archive', out)).code).toBe(ExitCode.FAILED);
      expect((await spine(cwd, '--db', db, 'db', 'verify')).code).toBe(0);
      // Two pipeline runs, an archive and a restore: PGlite on a busy 2-core machine needs more than the default minute.
    }, 300_000);
  });
}
