import type { SchemaObjectRef } from '../dialect/types.js';
import { ErrorCode, SpineError } from '../errors.js';
import { managedSnapshot } from '../schema/managed-objects.js';
import { diffSchemas } from '../schema/schema-snapshot.js';
import type { DriftItem, SchemaSnapshot } from '../schema/schema-snapshot.js';
import { SpineDb } from '../spine-db.js';
import { runMigrationScript } from './apply.js';
import type { LoadedMigration } from './discovery.js';
import { ensureLedger } from './ledger.js';
import type { LedgerRow } from './ledger.js';

/** One check of `verify`. */
export interface VerifyCheck {
  readonly name: 'integrity' | 'foreign_keys' | 'checksums' | 'objects' | 'drift';
  readonly status: 'ok' | 'failed';
  /** A sentence for people. */
  readonly detail: string;
  /** The problems found, one per line. */
  readonly problems: readonly string[];
}

/** Outcome of `verify`: `ok` when every check passed. */
export interface VerifyResult {
  readonly status: 'ok' | 'failed';
  readonly checks: readonly VerifyCheck[];
  /** Differences between the live schema and what the applied migrations create. */
  readonly drift: readonly DriftItem[];
  /** Objects the applied migrations create that the database lacks. */
  readonly missingObjects: readonly SchemaObjectRef[];
}

/** A named check's outcome from its problems: `ok` with the `ok` sentence when there are none, else `failed` with the `failed` one. */
export function checkOutcome<N extends string>(name: N, problems: readonly string[], ok: string, failed: string): { name: N; status: 'ok' | 'failed'; detail: string; problems: readonly string[] } {
  return { name, status: problems.length === 0 ? 'ok' : 'failed', detail: problems.length === 0 ? ok : failed, problems };
}

const check = (name: VerifyCheck['name'], problems: readonly string[], ok: string, failed: string): VerifyCheck => checkOutcome(name, problems, ok, failed);

/**
 * The schema the applied migrations create: their scripts replayed, in the
 * ledger's order, into an empty scratch database of the same dialect.
 *
 * @param applied the ledger rows to replay, each with its script
 * @throws SpineError `VERIFY_FAILED` when a script fails in the scratch database
 */
export async function expectedSchema(db: SpineDb, applied: readonly { row: LedgerRow; migration: LoadedMigration }[]): Promise<SchemaSnapshot> {
  const scratch = new SpineDb(await db.dialect.openScratch());
  try {
    await ensureLedger(scratch);
    for (const { migration } of applied) {
      const statements = scratch.dialect.splitStatements(migration.script, migration.path);
      const outcome = await runMigrationScript(
        scratch,
        migration,
        { path: migration.path, checksum: migration.checksum, statements, noTransaction: migration.directives.noTransaction, rebuild: migration.directives.rebuild },
        { kind: 'up', ledgerKind: 'migrate' },
        'verify',
      );
      if (outcome.kind === 'failed') {
        throw new SpineError(ErrorCode.VERIFY_FAILED, `Replaying ${migration.id} to build the expected schema failed: ${outcome.failure.message}`, {
          hint: 'The migration scripts on disk no longer apply cleanly; check recent edits.',
        });
      }
    }
    return await scratch.dialect.introspector.snapshot(scratch.executor());
  } finally {
    await scratch.close();
  }
}

/**
 * Verifies a database after (or independently of) a migration: integrity,
 * foreign keys, checksums of the applied scripts, every object the applied
 * migrations create exists, and the live schema equals the schema those
 * migrations create (drift: extra, missing or changed tables, columns,
 * constraints, indexes, views, triggers). Objects outside the packages'
 * schemas ({@link managedSnapshot}: scratch and experiment objects, the engine's own tables) are ignored. Never writes to the database.
 *
 * @param ledger the database's ledger
 * @param known the migrations this build has, by id, loaded for the database's dialect
 */
export async function verifyDatabase(db: SpineDb, ledger: readonly LedgerRow[], known: ReadonlyMap<string, LoadedMigration>): Promise<VerifyResult> {
  const executor = db.executor();
  const checks: VerifyCheck[] = [];
  const integrity = await db.dialect.checks.integrity(executor);
  checks.push(check('integrity', integrity, 'integrity check ok', 'integrity check failed'));
  const foreignKeys = await db.dialect.checks.foreignKeys(executor);
  checks.push(check('foreign_keys', foreignKeys, 'no foreign key violations', `${foreignKeys.length} row(s) violate foreign keys`));

  const unknown = ledger.filter((r) => !known.has(r.migration_id)).map((r) => `${r.migration_id}: applied, but this build does not have it`);
  const changed = ledger
    .filter((r) => known.has(r.migration_id) && known.get(r.migration_id)?.checksum !== r.checksum)
    .map((r) => `${r.migration_id}: the script changed since it was applied`);
  checks.push(check('checksums', [...unknown, ...changed], 'every applied script is unchanged', 'applied scripts changed or are unknown'));

  let drift: DriftItem[] = [];
  let missingObjects: SchemaObjectRef[] = [];
  if (unknown.length > 0) {
    const problems = ['cannot build the expected schema while applied migrations are unknown to this build'];
    checks.push(check('objects', problems, '', 'not checked'), check('drift', problems, '', 'not checked'));
  } else {
    const applied = ledger.map((row) => ({ row, migration: known.get(row.migration_id) as LoadedMigration }));
    const expected = managedSnapshot(await expectedSchema(db, applied));
    const actual = managedSnapshot(await db.dialect.introspector.snapshot(executor));
    drift = diffSchemas(expected, actual);
    const objectTypes = new Set(['table', 'index', 'view', 'trigger']);
    missingObjects = drift
      .filter((d) => d.kind === 'missing' && objectTypes.has(d.objectType))
      .map((d) => ({ type: d.objectType as SchemaObjectRef['type'], name: d.name }));
    checks.push(
      check('objects', missingObjects.map((o) => `${o.type} ${o.name} is missing`), 'every object the applied migrations create exists', `${missingObjects.length} object(s) missing`),
      check('drift', drift.map((d) => d.detail), 'the live schema matches the applied migrations', `${drift.length} difference(s) from the applied migrations`),
    );
  }
  return { status: checks.every((c) => c.status === 'ok') ? 'ok' : 'failed', checks, drift, missingObjects };
}
