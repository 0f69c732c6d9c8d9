/*
 * kill -9 a migrating process at random points; afterwards the database must
 * open, pass integrity_check, and hold exactly what its ledger says (verify:
 * checksums, objects, no drift) — no half-applied migration — and a new run
 * must finish the job. `pnpm test:crash` runs 200 trials; the normal suite a
 * few (SPINE_CRASH_TRIALS).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSpineDb } from '../spine-db.js';
import { crashFixture } from '../test-support/crash-fixture.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { readLedger } from './ledger.js';
import { Migrator } from './migrator.js';

const TRIALS = Number(process.env.SPINE_CRASH_TRIALS ?? 8);
const PARALLEL = 2;
const CHILD = fileURLToPath(new URL('../test-support/migrate-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  /** Milliseconds from the first migration's start to exit. */
  readonly ms: number;
}

function runChild(dbPath: string, sourceFile: string, killAfterMs: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, sourceFile, '--wait-for-go'], { cwd: PACKAGE_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let started = 0;
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('ready') && !child.stdin.writableEnded) child.stdin.end('go\n');
      if (started === 0 && output.includes('applying')) {
        started = performance.now();
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child failed (${String(code)}): ${errors}`));
      else resolve({ code, signal, output, ms: performance.now() - started });
    });
  });
}

async function checkDatabase(dbPath: string, source: ReturnType<typeof crashFixture>['source']): Promise<number> {
  const db = await openSpineDb(dbPath);
  try {
    const migrator = new Migrator(db, { sources: [source] });
    const verification = await migrator.verify();
    expect(verification.checks.filter((c) => c.status !== 'ok').map((c) => [c.name, c.problems.slice(0, 3)])).toEqual([]);
    return (await readLedger(db)).length;
  } finally {
    await db.close();
  }
}

describe(`kill -9 during migrate (${TRIALS} trials)`, () => {
  it(
    'always leaves a database that opens, is intact and matches its ledger, and a new run completes',
    async () => {
      const { source, sourceFile } = crashFixture();
      const total = 24;
      // Calibrate: how long applying takes on this machine, from the first migration's start to exit.
      const calibration = await runChild(join(tempDir(), 'calibrate.db'), sourceFile, null);
      expect(JSON.parse(calibration.output.trim().split('\n').pop() ?? '{}')).toMatchObject({ status: 'ok', applied: total });
      const window = calibration.ms * 1.1;

      const appliedAtKill: number[] = [];
      let killed = 0;
      const trial = async (i: number) => {
        const dbPath = join(tempDir(), `crash-${i}.db`);
        const run = await runChild(dbPath, sourceFile, Math.random() * window);
        if (run.signal === 'SIGKILL') killed += 1;
        appliedAtKill.push(await checkDatabase(dbPath, source));
        const db = await openSpineDb(dbPath);
        try {
          const migrator = new Migrator(db, { sources: [source], lockTimeoutMs: 5000 });
          expect(await migrator.migrate()).toMatchObject({ status: 'ok' });
          expect((await readLedger(db)).length).toBe(total);
          expect((await migrator.verify()).status).toBe('ok');
        } finally {
          await db.close();
        }
      };
      for (let start = 0; start < TRIALS; start += PARALLEL) {
        await Promise.all(Array.from({ length: Math.min(PARALLEL, TRIALS - start) }, (_, k) => trial(start + k)));
      }
      const histogram = new Map<number, number>();
      for (const n of appliedAtKill) histogram.set(n, (histogram.get(n) ?? 0) + 1);
      console.log(
        `crash test: ${TRIALS} trials, ${killed} killed mid-run (applying takes ${Math.round(calibration.ms)} ms); migrations applied at the kill: ${[...histogram]
          .sort((a, b) => a[0] - b[0])
          .map(([n, c]) => `${n}:${c}`)
          .join(' ')}`,
      );
      expect(appliedAtKill).toHaveLength(TRIALS);
      if (TRIALS >= 8) expect(killed).toBeGreaterThan(0);
    },
    Math.max(120_000, TRIALS * 4_000),
  );
});

describe('four processes migrating one database at once', () => {
  it('apply each migration once; every process exits cleanly', async () => {
    const { source, sourceFile } = crashFixture();
    const dbPath = join(tempDir(), 'four.db');
    const runs = await Promise.all(Array.from({ length: 4 }, () => runChild(dbPath, sourceFile, null)));
    const results = runs.map((r) => JSON.parse(r.output.trim().split('\n').pop() ?? '{}') as { status: string; applied: number });
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results.reduce((n, r) => n + r.applied, 0)).toBe(24);
    const db = await openSpineDb(dbPath);
    try {
      const ledger = await readLedger(db);
      expect(new Set(ledger.map((r) => r.migration_id)).size).toBe(24);
      expect(ledger.map((r) => r.installed_rank)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect((await new Migrator(db, { sources: [source] }).verify()).status).toBe('ok');
    } finally {
      await db.close();
    }
  });
});
