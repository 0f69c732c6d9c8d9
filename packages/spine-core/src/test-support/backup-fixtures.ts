import Database from 'better-sqlite3';
import { ensureLedger, insertLedgerRow } from '../migrations/ledger.js';
import { openSpineDb } from '../spine-db.js';

/**
 * A WAL-mode database at `path` (created if missing) with table `t` holding
 * `values` (when given) and `migrations` added to its `_migrations` ledger.
 */
export async function fixtureDatabase(path: string, options: { values?: readonly string[]; migrations?: readonly string[] } = {}): Promise<void> {
  const db = await openSpineDb(path);
  if (options.values) {
    await db.executor().exec('CREATE TABLE IF NOT EXISTS t (v TEXT NOT NULL)');
    await db.executor().insertRows('t', ['v'], options.values.map((v) => [v]));
  }
  await ensureLedger(db);
  for (const id of options.migrations ?? []) {
    await insertLedgerRow(db.executor(), {
      migration_id: id,
      package: '@fixture/x',
      package_version: '1.0.0',
      tier: 'basic',
      dialect: 'sqlite',
      description: id,
      checksum: 'c',
      applied_at: '2025-01-01T00:00:00.000Z',
      applied_by: 'test@host',
      execution_time_ms: 1,
      success: 1,
      error_message: null,
      down_checksum: null,
      bundle: null,
      kind: 'migrate',
    });
  }
  await db.close();
}

/** The values of table `t` of the database at `path`, in insertion order. */
export function tableValues(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((row) => row.v);
  } finally {
    db.close();
  }
}
