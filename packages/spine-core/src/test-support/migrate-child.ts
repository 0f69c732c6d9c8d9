/**
 * A migrating child process for the crash and concurrency tests:
 * `node --import tsx migrate-child.ts <db> <source.json> [--wait-for-go]`.
 * Prints "ready" once the database is open, waits for a line on stdin when
 * asked, prints "applying" when the first migration starts (so the parent can
 * time a kill -9 against the migrations themselves, not the start-up),
 * migrates, and prints the result as JSON.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Migrator } from '../migrations/migrator.js';
import type { MigrationSource } from '../migrations/source.js';
import { openSpineDb } from '../spine-db.js';

const [dbPath, sourcePath, flag] = process.argv.slice(2);
if (!dbPath || !sourcePath) throw new Error('usage: migrate-child.ts <db> <source.json> [--wait-for-go]');
const source = JSON.parse(readFileSync(sourcePath, 'utf8')) as MigrationSource;
const db = await openSpineDb({ target: dbPath, busyTimeoutMs: 30_000 });
const migrator = new Migrator(db, { sources: [source], lockTimeoutMs: 60_000 });
process.stdout.write('ready\n');
if (flag === '--wait-for-go') {
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', () => {
      lines.close();
      resolve();
    });
  });
}
try {
  // "applying" marks the first migration's start, so a parent can time kills against the applying phase.
  const result = await migrator.migrate({ onEvent: (event) => event.type === 'start' && event.index === 0 && process.stdout.write('applying\n') });
  process.stdout.write(`${JSON.stringify({ status: result.status, applied: result.status === 'refused' ? 0 : result.status === 'ok' ? result.applied.length : result.applied.length, code: result.status === 'refused' ? result.code : null })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ status: 'error', code: (error as { code?: string }).code ?? null, message: String(error) })}\n`);
} finally {
  await db.close();
}
