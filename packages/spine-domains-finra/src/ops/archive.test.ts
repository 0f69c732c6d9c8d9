import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { vacuumDatabase } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { closeTestDatabases, testDialects } from '@market-spine/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPipeline } from '../pipeline/run.js';
import { sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { migratedDb, plantTrigger, tempDir } from '../test-support/finra-db.js';
import { ARCHIVE_FORMAT, verifyArchive } from './archive-file.js';
import { archiveCaptures, captureTables, parseAge, planArchive } from './archive.js';
import { restoreArchive } from './restore-archive.js';

/** Every row of every capture table, one sorted list of JSON texts per table. */
async function snapshot(db: SpineDb<FinraTables>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const { name, columns } of await captureTables(db)) {
    const rows = await db.kysely.selectFrom(name as 'finra_otc_transparency_raw').selectAll().execute();
    out[name] = rows.map((row) => JSON.stringify(columns.map((c) => (row as Record<string, unknown>)[c]))).sort();
  }
  return out;
}

/** The snapshot without the rows of one capture. */
function without(rows: Record<string, string[]>, captureId: string): Record<string, string[]> {
  return Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.filter((r) => !r.includes(`"${captureId}"`))]));
}

/** Moves a capture back in time, in every table that records captured_at. */
async function backdate(db: SpineDb<FinraTables>, captureId: string, capturedAt: string): Promise<void> {
  for (const { name, columns } of await captureTables(db)) {
    if (!columns.includes('captured_at')) continue;
    await db.kysely.updateTable(name as 'finra_otc_transparency_raw').set({ captured_at: capturedAt }).where('capture_id', '=', captureId).execute();
  }
}

/**
 * Week 2025-11-28 (OTC) from the real sample with its one rejected line,
 * captured twice: the file (capture A) and a revision of it (capture B, one
 * venue re-reported), both moved back to early 2023; and week 2025-11-14,
 * captured now (capture C).
 */
async function threeCaptures(db: SpineDb<FinraTables>): Promise<{ a: string; b: string; c: string }> {
  const [first, , third] = sampleFiles() as [string, string, string];
  const original = readFileSync(third, 'utf8');
  const lines = original.split('\n');
  const fields = (lines[1] as string).split('|');
  fields[5] = String(Number(fields[5]) + 100_000);
  fields[7] = '2026-01-05';
  const revision = join(tempDir(), 'finra_otc_weekly_otc_20251229_revised.csv');
  writeFileSync(revision, [lines[0], fields.join('|'), ...lines.slice(2)].join('\n'));
  const ids: string[] = [];
  for (const file of [third, revision, first]) {
    const report = await runPipeline(db, [file]);
    expect(report.status).toBe('ok');
    ids.push(report.partitions[0]?.captureId as string);
  }
  const [a, b, c] = ids as [string, string, string];
  await backdate(db, a, '2023-01-10T12:00:00.000Z');
  await backdate(db, b, '2023-02-10T12:00:00.000Z');
  return { a, b, c };
}

describe('archive ages', () => {
  it('parses durations with parse-duration (a year is 365.25 days) and refuses what is not one', () => {
    expect(parseAge('2y')).toBe(2 * 365.25 * 86_400_000);
    expect(parseAge('18mo')).toBe(1.5 * 365.25 * 86_400_000);
    expect(parseAge('90d')).toBe(90 * 86_400_000);
    for (const bad of ['', 'abc', '5', '-1y', '0d']) expect(() => parseAge(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

for (const dialect of testDialects()) {
  describe(`spine ops archive / restore-archive on ${dialect.name} (${dialect.backend}), real OTC samples`, () => {
    let db: SpineDb<FinraTables>;
    let ids: { a: string; b: string; c: string };
    let before: Record<string, string[]>;
    const dir = tempDir();
    const file = join(dir, 'finra-2023.jsonl.gz');

    beforeAll(async () => {
      db = await migratedDb(dialect);
      ids = await threeCaptures(db);
      before = await snapshot(db);
      // Three pipeline runs: PGlite on a busy 2-core machine needs more than the default minute.
    }, 300_000);
    afterAll(closeTestDatabases);

    it('plans: the older capture of the week goes, the newest of the week stays although old, recent ones are not touched', async () => {
      const plan = await planArchive(db, '2y');
      expect(plan.captures.map((c) => c.capture_id)).toEqual([ids.a]);
      expect(plan.kept.map((c) => c.capture_id)).toEqual([ids.b]);
      const dry = await archiveCaptures(db, { olderThan: '2y', file, dryRun: true });
      expect(dry.status).toBe('planned');
      const counts = dry.status === 'planned' ? Object.fromEntries(dry.tables.map((t) => [t.name, t.rows])) : {};
      // The file of week 2025-11-28: 4,655 lines, 4,654 venue rows, one rejected line, 2,714 symbols.
      expect(counts).toMatchObject({
        finra_otc_transparency_captures: 1,
        finra_otc_transparency_raw: 4655,
        finra_otc_transparency_rejects: 1,
        finra_otc_transparency_weekly_symbol_venue_volume: 4654,
        finra_otc_transparency_symbol_summary: 2714,
      });
      expect(existsSync(file)).toBe(false);
      expect(await snapshot(db)).toEqual(before);
      expect((await archiveCaptures(db, { olderThan: '4y', file, dryRun: true })).status).toBe('nothing_to_archive');
    });

    it('archives every row of the capture to a checked file, deletes them and gives the space back', async () => {
      const result = await archiveCaptures(db, { olderThan: '2y', file });
      if (result.status !== 'archived') throw new Error(result.status);
      expect(result.kept.map((c) => c.capture_id)).toEqual([ids.b]);
      // The space comes back; on a shared PostgreSQL server only once no other session's older snapshot can still see the rows.
      const bytesBefore = result.vacuum?.bytesBefore ?? 0;
      await vi.waitFor(async () => expect(bytesBefore - (await vacuumDatabase(db)).bytesAfter).toBeGreaterThan(100_000), { timeout: 30_000, interval: 500 });
      const header = await verifyArchive(file);
      expect(header).toMatchObject({ format: ARCHIVE_FORMAT, older_than: '2y', source: { dialect: dialect.name } });
      expect(header.captures.map((c) => c.capture_id)).toEqual([ids.a]);
      expect(header.tables.map((t) => t.rows).reduce((s, n) => s + n, 0)).toBe(Object.values(before).flat().filter((r) => r.includes(`"${ids.a}"`)).length);
      expect(await snapshot(db)).toEqual(without(before, ids.a));
      expect(readdirSync(dir)).toEqual(['finra-2023.jsonl.gz']);
      expect((await archiveCaptures(db, { olderThan: '2y', file: join(dir, 'again.jsonl.gz') })).status).toBe('nothing_to_archive');
    });

    it('refuses a damaged archive without writing, then restores the good one to identical rows, once', async () => {
      // One raw row's issue name altered: every constraint still holds, only the checksum tells.
      const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
      const index = lines.findIndex((l) => l.startsWith('{"t":"finra_otc_transparency_raw"') && l.includes(' Inc '));
      lines[index] = (lines[index] as string).replace(' Inc ', ' Inx ');
      const damaged = join(dir, 'damaged.jsonl.gz');
      writeFileSync(damaged, gzipSync(lines.join('\n')));
      await expect(restoreArchive(db, damaged)).rejects.toThrow(expect.objectContaining({ code: 'ARCHIVE_INVALID' }));
      expect(await snapshot(db)).toEqual(without(before, ids.a));

      const restored = await restoreArchive(db, file);
      expect(restored.status).toBe('restored');
      expect(await snapshot(db)).toEqual(before);
      expect(await restoreArchive(db, file)).toEqual({ status: 'already_present', file, present: [ids.a] });
    });

    it('leaves the database unchanged and no file behind when a delete fails midway', async () => {
      // The captures row is deleted last: by then every other table's rows of the capture are deleted in the transaction.
      const drop = await plantTrigger(db, {
        name: 'trg_refuse_capture_delete',
        table: 'finra_otc_transparency_captures',
        timing: 'BEFORE',
        event: 'DELETE',
        when: `old.capture_id = '${ids.a}'`,
        action: { raise: 'archive test: refuse this delete' },
      });
      const failing = join(dir, 'failing.jsonl.gz');
      await expect(archiveCaptures(db, { olderThan: '2y', file: failing })).rejects.toThrow(expect.objectContaining({ code: 'ARCHIVE_FAILED' }));
      await drop();
      expect(await snapshot(db)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['damaged.jsonl.gz', 'finra-2023.jsonl.gz']);
    });
  });
}

describe('an archive written on SQLite restores on PostgreSQL', () => {
  afterAll(closeTestDatabases);

  it('gives the same rows', async () => {
    const [sqlite, postgres] = testDialects();
    if (!sqlite || !postgres) throw new Error('expected both test dialects');
    const source = await migratedDb(sqlite);
    const ids = await threeCaptures(source);
    const rows = await snapshot(source);
    const file = join(tempDir(), 'from-sqlite.jsonl.gz');
    expect((await archiveCaptures(source, { olderThan: '2y', file, vacuum: false })).status).toBe('archived');
    const target = await migratedDb(postgres);
    expect((await restoreArchive(target, file)).status).toBe('restored');
    const restored = await snapshot(target);
    expect(restored).toEqual(Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.filter((r) => r.includes(`"${ids.a}"`))])));
  });
});
