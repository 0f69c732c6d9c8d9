import type { ParsedStatement, SqlExecutor } from '../dialect/types.js';
import { ErrorCode, SpineError, errorMessage, isSpineError } from '../errors.js';
import { nowIso } from '../ids.js';
import type { SpineDb } from '../spine-db.js';
import type { LoadedMigration } from './discovery.js';
import { insertLedgerRow, logEvent, readLedgerIn } from './ledger.js';
import type { LedgerKind } from './ledger.js';

/** A migration applied (or rolled back) by the engine. */
export interface AppliedMigration {
  readonly id: string;
  readonly package: string;
  readonly tier: string;
  readonly executionTimeMs: number;
  /** Statements run. */
  readonly statements: number;
  /** Statements skipped because already in effect, with the reason. */
  readonly skipped: readonly { readonly line: number; readonly reason: string }[];
}

/** Why a migration failed: the migration, the statement, and the database's message. */
export interface MigrationFailure {
  readonly migrationId: string;
  readonly path: string;
  /** 1-based line of the failing statement in the script, null when it failed outside a statement. */
  readonly line: number | null;
  readonly statement: string | null;
  readonly message: string;
  /** Stable code: `MIGRATION_FAILED`, or the more precise code of a refused statement. */
  readonly code: ErrorCode;
  /** The driver's error code (e.g. `SQLITE_CONSTRAINT_CHECK`), when it gave one. */
  readonly driverCode: string | null;
}

/** What applying one script did. */
export type ApplyOutcome =
  | { readonly kind: 'done'; readonly migration: AppliedMigration }
  | { readonly kind: 'already-done' }
  | { readonly kind: 'failed'; readonly failure: MigrationFailure };

class StatementError extends Error {
  constructor(
    readonly statement: ParsedStatement,
    readonly original: unknown,
  ) {
    super(errorMessage(original));
  }
}

function driverCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !isSpineError(error) ? code : null;
}

/** Runs statements one by one, letting the dialect skip those already in effect. */
async function runStatements(db: SpineDb, executor: SqlExecutor, statements: readonly ParsedStatement[]): Promise<AppliedMigration['skipped']> {
  const skipped: { line: number; reason: string }[] = [];
  for (const statement of statements) {
    try {
      const decision = await db.dialect.prepareStatement(executor, statement);
      if (decision.action === 'skip') {
        skipped.push({ line: statement.line, reason: decision.reason });
        continue;
      }
      await executor.exec(statement.text);
    } catch (error) {
      throw new StatementError(statement, error);
    }
  }
  return skipped;
}

/**
 * The direction of a script: apply an up script (adds a ledger row; `bundle`,
 * when given, is recorded in its `bundle` column) or a down script (removes it).
 */
export type Direction = { readonly kind: 'up'; readonly ledgerKind: LedgerKind; readonly bundle?: string | null } | { readonly kind: 'down' };

/**
 * Runs one migration script atomically with its ledger change: in one
 * transaction (`BEGIN IMMEDIATE` on SQLite) unless the script says
 * `-- spine:no-transaction`, or through the dialect's table rebuild for
 * `-- spine:rebuild <table>`. Inside the transaction the ledger is read again,
 * so a script another process applied meanwhile is not run twice. A failure
 * rolls back, is logged in `_migration_log` (autocommit) and returned.
 *
 * @param statements the script split by the dialect
 * @param actor recorded as `applied_by` / `by`
 */
export async function runMigrationScript(
  db: SpineDb,
  migration: LoadedMigration,
  script: { readonly path: string; readonly checksum: string; readonly statements: readonly ParsedStatement[]; readonly noTransaction: boolean; readonly rebuild: string | null },
  direction: Direction,
  actor: string,
): Promise<ApplyOutcome> {
  const started = performance.now();
  const source = migration.definition.source;
  const elapsed = () => Math.round(performance.now() - started);
  const log = (executor: SqlExecutor, event: 'rolled_back' | 'failed', detail: { line: number | null; statement: string | null; message: string | null }) =>
    logEvent(executor, {
      event,
      migration_id: migration.id,
      package: source.packageName,
      package_version: source.version,
      dialect: migration.dialect,
      checksum: script.checksum,
      previous_checksum: null,
      execution_time_ms: elapsed(),
      statement_line: detail.line,
      statement: detail.statement,
      message: detail.message,
      by: actor,
    });
  const alreadyDone = async (executor: SqlExecutor) => {
    const present = (await readLedgerIn(executor)).some((r) => r.migration_id === migration.id);
    return direction.kind === 'up' ? present : !present;
  };
  const recordLedger = async (executor: SqlExecutor) => {
    if (direction.kind === 'up') {
      await insertLedgerRow(executor, {
        migration_id: migration.id,
        package: source.packageName,
        package_version: source.version,
        tier: migration.definition.tier,
        dialect: migration.dialect,
        description: migration.description,
        checksum: migration.checksum,
        applied_at: nowIso(),
        applied_by: actor,
        execution_time_ms: elapsed(),
        success: 1,
        error_message: null,
        down_checksum: migration.downChecksum,
        bundle: direction.bundle ?? null,
        kind: direction.ledgerKind,
      });
    } else {
      await executor.kysely.deleteFrom('_migrations').where('migration_id', '=', migration.id).execute();
      await log(executor, 'rolled_back', { line: null, statement: null, message: null });
    }
  };

  try {
    let skipped: AppliedMigration['skipped'];
    if (script.noTransaction) {
      skipped = await runStatements(db, db.executor(), script.statements);
      const recorded = await db.transaction(async (tx) => {
        if (await alreadyDone(tx)) return false;
        await recordLedger(tx);
        return true;
      });
      if (!recorded) return { kind: 'already-done' };
    } else {
      const body = async (tx: SqlExecutor, statements: readonly ParsedStatement[]) => {
        if (await alreadyDone(tx)) return undefined;
        const result = await runStatements(db, tx, statements);
        await recordLedger(tx);
        return result;
      };
      let outcome: AppliedMigration['skipped'] | undefined;
      if (script.rebuild !== null) {
        const table = script.rebuild;
        const rebuild = db.dialect.tableRebuild;
        if (!rebuild) {
          throw new SpineError(ErrorCode.UNSUPPORTED, `${db.dialectName} alters tables in place; -- spine:rebuild is for SQLite.`, {
            hint: `Give ${migration.id} a .${db.dialectName}.sql variant with ALTER TABLE statements.`,
          });
        }
        const create = script.statements.find((s) => s.creates.some((c) => c.type === 'table' && c.name === table));
        if (!create) {
          throw new SpineError(ErrorCode.REBUILD_INVALID, `${script.path} says -- spine:rebuild ${table} but has no CREATE TABLE ${table} with the new definition.`);
        }
        outcome = await rebuild.withoutForeignKeys(() =>
          db.transaction(async (tx) => {
            if (await alreadyDone(tx)) return undefined;
            try {
              await rebuild.rebuild(tx, { table, createTableSql: create.text });
            } catch (error) {
              throw new StatementError(create, error);
            }
            const rest = await runStatements(db, tx, script.statements.filter((s) => s !== create));
            await recordLedger(tx);
            return rest;
          }),
        );
      } else {
        outcome = await db.transaction((tx) => body(tx, script.statements));
      }
      if (outcome === undefined) return { kind: 'already-done' };
      skipped = outcome;
    }
    return {
      kind: 'done',
      migration: {
        id: migration.id,
        package: source.packageName,
        tier: migration.definition.tier,
        executionTimeMs: elapsed(),
        statements: script.statements.length - skipped.length,
        skipped,
      },
    };
  } catch (error) {
    const statement = error instanceof StatementError ? error.statement : undefined;
    const cause = error instanceof StatementError ? error.original : error;
    const failure: MigrationFailure = {
      migrationId: migration.id,
      path: script.path,
      line: statement?.line ?? null,
      statement: statement?.text ?? null,
      message: errorMessage(cause),
      code: isSpineError(cause) ? cause.code : ErrorCode.MIGRATION_FAILED,
      driverCode: driverCode(cause),
    };
    await log(db.executor(), 'failed', {
      line: failure.line,
      statement: failure.statement,
      message: direction.kind === 'down' ? `rollback: ${failure.message}` : failure.message,
    });
    return { kind: 'failed', failure };
  }
}
