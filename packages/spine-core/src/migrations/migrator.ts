import type { DialectName, ParsedStatement, SqlExecutor } from '../dialect/types.js';
import { ErrorCode, SpineError, errorMessage, isSpineError } from '../errors.js';
import type { SpineDb } from '../spine-db.js';
import { discoverMigrations, loadMigration } from './discovery.js';
import type { LoadedMigration, MigrationDefinition } from './discovery.js';
import { currentActor, ensureLedger, insertLedgerRow, readLedger, readLedgerIn, recordFailure } from './ledger.js';
import type { LedgerRow } from './ledger.js';
import type { MigrationSource } from './source.js';
import { tiersUpTo } from './tiers.js';
import type { Tier } from './tiers.js';

/**
 * State of a migration, as Flyway's `info` reports it:
 * - `applied`: in the ledger with the checksum of the script on disk;
 * - `pending`: selected by the tier, not applied yet;
 * - `changed`: applied, but the script on disk no longer has the applied checksum;
 * - `out-of-order`: pending, numbered below an applied migration of the same package and tier;
 * - `future`: in the ledger, unknown to this build (the database is newer than the code).
 */
export type MigrationState = 'applied' | 'pending' | 'changed' | 'out-of-order' | 'future';

/** One line of a status report. */
export interface MigrationStatusEntry {
  readonly id: string;
  /** npm package name. */
  readonly package: string;
  /** Version applied (for applied rows) or shipped (for pending rows). */
  readonly version: string;
  readonly tier: string;
  readonly description: string;
  readonly state: MigrationState;
  /** ISO-8601 UTC time of application, null when not applied. */
  readonly appliedAt: string | null;
  /** Milliseconds the migration took, null when not applied. */
  readonly executionTimeMs: number | null;
  /** Checksum of the script on disk, null for `future`. */
  readonly checksum: string | null;
  /** Checksum recorded in the ledger, null when not applied. */
  readonly appliedChecksum: string | null;
}

/** What `status` found: one entry per migration, in apply order, then `future` ones. */
export interface MigrationStatusReport {
  readonly dialect: DialectName;
  readonly location: string;
  readonly tier: Tier;
  readonly entries: readonly MigrationStatusEntry[];
  readonly counts: Readonly<Record<MigrationState, number>>;
}

/** A migration applied by `migrate`. */
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

/**
 * Outcome of `migrate` (zod-style: discriminated on `status`; expected
 * outcomes are results, not exceptions):
 * - `ok`: every pending migration (up to `to`) applied; `applied` may be empty;
 * - `failed`: `applied` went in, then `failure` rolled back its own migration and stopped the run;
 * - `refused`: nothing was applied because a precondition failed (see `code`).
 */
export type MigrateResult =
  | { readonly status: 'ok'; readonly applied: readonly AppliedMigration[] }
  | { readonly status: 'failed'; readonly applied: readonly AppliedMigration[]; readonly failure: MigrationFailure }
  | {
      readonly status: 'refused';
      readonly code: ErrorCode;
      readonly message: string;
      readonly hint: string;
      /** The migrations that caused the refusal. */
      readonly migrations: readonly string[];
    };

/** Progress of a `migrate` run, for a CLI or log. */
export type MigrationEvent =
  | { readonly type: 'start'; readonly id: string; readonly index: number; readonly total: number }
  | { readonly type: 'applied'; readonly migration: AppliedMigration }
  | { readonly type: 'already-applied'; readonly id: string };

/** Options for a {@link Migrator}. */
export interface MigratorOptions {
  /** The packages whose migrations to manage, in any order (dependencies are resolved). */
  readonly sources: readonly MigrationSource[];
  /** Highest tier to apply; default `basic` (seed 003). */
  readonly tier?: Tier;
  /** Apply pending migrations numbered below applied ones. Default false. */
  readonly allowOutOfOrder?: boolean;
  /** Recorded in `applied_by`; default `user@host`. */
  readonly appliedBy?: string;
}

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

function emptyCounts(): Record<MigrationState, number> {
  return { applied: 0, pending: 0, changed: 0, 'out-of-order': 0, future: 0 };
}

/**
 * Applies the SQL migrations of a set of packages to one database, one
 * transaction per migration with its ledger row, and reports status.
 */
export class Migrator {
  readonly #db: SpineDb;
  readonly #options: MigratorOptions;
  readonly #tier: Tier;

  constructor(db: SpineDb, options: MigratorOptions) {
    this.#db = db;
    this.#options = options;
    this.#tier = options.tier ?? 'basic';
  }

  /** Every migration the sources ship, in apply order, whatever the tier. */
  definitions(): MigrationDefinition[] {
    return discoverMigrations(this.#options.sources);
  }

  /** The migrations selected by the tier that have a script for this database's dialect, loaded and checksummed. */
  selected(): LoadedMigration[] {
    const tiers = new Set<string>(tiersUpTo(this.#tier));
    return this.definitions()
      .filter((d) => tiers.has(d.tier))
      .map((d) => loadMigration(d, this.#db.dialectName))
      .filter((m): m is LoadedMigration => m !== undefined);
  }

  /** Reads the ledger and the files and reports each migration's state. Never writes. */
  async status(): Promise<MigrationStatusReport> {
    const ledger = await readLedger(this.#db);
    return this.#report(ledger, this.selected());
  }

  #report(ledger: readonly LedgerRow[], selected: readonly LoadedMigration[]): MigrationStatusReport {
    const applied = new Map(ledger.map((row) => [row.migration_id, row]));
    const known = new Set(this.definitions().map((d) => d.id));
    const highestApplied = new Map<string, number>();
    for (const m of selected) {
      if (applied.has(m.id)) {
        const key = `${m.definition.source.name}/${m.definition.tier}`;
        highestApplied.set(key, Math.max(highestApplied.get(key) ?? -1, m.definition.number));
      }
    }
    const entries: MigrationStatusEntry[] = [];
    const listed = new Set<string>();
    for (const m of selected) {
      const row = applied.get(m.id);
      let state: MigrationState;
      if (row) state = row.checksum === m.checksum ? 'applied' : 'changed';
      else {
        const highest = highestApplied.get(`${m.definition.source.name}/${m.definition.tier}`) ?? -1;
        state = m.definition.number < highest ? 'out-of-order' : 'pending';
      }
      listed.add(m.id);
      entries.push({
        id: m.id,
        package: m.definition.source.packageName,
        version: row?.package_version ?? m.definition.source.version,
        tier: m.definition.tier,
        description: m.description,
        state,
        appliedAt: row?.applied_at ?? null,
        executionTimeMs: row?.execution_time_ms ?? null,
        checksum: m.checksum,
        appliedChecksum: row?.checksum ?? null,
      });
    }
    // Applied rows outside the selection: known ones (a higher tier applied earlier) stay listed as applied.
    for (const row of ledger) {
      if (listed.has(row.migration_id)) continue;
      entries.push({
        id: row.migration_id,
        package: row.package,
        version: row.package_version,
        tier: row.tier,
        description: row.description,
        state: known.has(row.migration_id) ? 'applied' : 'future',
        appliedAt: row.applied_at,
        executionTimeMs: row.execution_time_ms,
        checksum: null,
        appliedChecksum: row.checksum,
      });
    }
    const counts = emptyCounts();
    for (const e of entries) counts[e.state] += 1;
    return { dialect: this.#db.dialectName, location: this.#db.location, tier: this.#tier, entries, counts };
  }

  /**
   * Applies pending migrations in order, each in its own transaction
   * (`BEGIN IMMEDIATE` on SQLite, which is also the cross-process lock) with
   * its ledger row. A failing statement rolls its migration back, is logged
   * in `_migration_failures`, and stops the run.
   *
   * Refuses, before applying anything, when an applied script changed, the
   * database holds migrations this build does not know, a pending migration
   * is out of order (unless allowed), a `requires` header is unmet, or a
   * pending script cannot be split into statements.
   *
   * @param options `to`: apply up to and including this id; `onEvent`: progress callback
   * @throws SpineError `INVALID_ARGUMENT` when `to` is not a selected migration; database errors
   *   outside any migration (for example the disk is full while creating the ledger)
   */
  async migrate(options: { to?: string; onEvent?: (event: MigrationEvent) => void } = {}): Promise<MigrateResult> {
    const selected = this.selected();
    await ensureLedger(this.#db);
    const report = this.#report(await readLedger(this.#db), selected);
    const refusal = this.#refusal(report, selected);
    if (refusal) return refusal;

    let pending = selected.filter((m) => report.entries.some((e) => e.id === m.id && (e.state === 'pending' || e.state === 'out-of-order')));
    if (options.to !== undefined) {
      const stop = pending.findIndex((m) => m.id === options.to);
      if (stop === -1 && !selected.some((m) => m.id === options.to)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `No migration ${JSON.stringify(options.to)} in tier ${this.#tier}.`, {
          hint: 'Run `spine db status` to list migration ids.',
        });
      }
      pending = stop === -1 ? [] : pending.slice(0, stop + 1);
    }

    const requiresRefusal = this.#unmetRequires(report, pending);
    if (requiresRefusal) return requiresRefusal;

    // Split every pending script before running any, so a syntax error in the
    // last migration does not leave the first ones applied.
    const plans: { migration: LoadedMigration; statements: ParsedStatement[] }[] = [];
    for (const migration of pending) {
      try {
        plans.push({ migration, statements: this.#db.dialect.splitStatements(migration.script, migration.path) });
      } catch (error) {
        if (!isSpineError(error)) throw error;
        return { status: 'refused', code: error.code, message: error.message, hint: error.hint ?? '', migrations: [migration.id] };
      }
    }

    const applied: AppliedMigration[] = [];
    for (const [index, plan] of plans.entries()) {
      options.onEvent?.({ type: 'start', id: plan.migration.id, index, total: plans.length });
      const outcome = await this.#applyOne(plan.migration, plan.statements);
      if (outcome.kind === 'failed') return { status: 'failed', applied, failure: outcome.failure };
      if (outcome.kind === 'already-applied') {
        options.onEvent?.({ type: 'already-applied', id: plan.migration.id });
        continue;
      }
      applied.push(outcome.migration);
      options.onEvent?.({ type: 'applied', migration: outcome.migration });
    }
    return { status: 'ok', applied };
  }

  #refusal(report: MigrationStatusReport, selected: readonly LoadedMigration[]): MigrateResult | undefined {
    const ids = (state: MigrationState) => report.entries.filter((e) => e.state === state).map((e) => e.id);
    const future = ids('future');
    if (future.length > 0) {
      return {
        status: 'refused',
        code: ErrorCode.MIGRATION_FUTURE,
        message: `The database holds ${future.length} migration(s) this build does not know: ${future.join(', ')}. It was migrated by a newer version.`,
        hint: 'Upgrade Market Spine to the version that applied them, or restore a backup taken before they were applied.',
        migrations: future,
      };
    }
    const changed = ids('changed');
    if (changed.length > 0) {
      const paths = selected.filter((m) => changed.includes(m.id)).map((m) => m.path);
      return {
        status: 'refused',
        code: ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
        message: `Applied migration script(s) changed since they were applied: ${changed.join(', ')}.`,
        hint: `Restore the original content of ${paths.join(', ')}; change an applied schema with a new migration instead of editing an old one.`,
        migrations: changed,
      };
    }
    const outOfOrder = ids('out-of-order');
    if (outOfOrder.length > 0 && !this.#options.allowOutOfOrder) {
      return {
        status: 'refused',
        code: ErrorCode.MIGRATION_OUT_OF_ORDER,
        message: `Pending migration(s) numbered below applied ones of the same package and tier: ${outOfOrder.join(', ')}.`,
        hint: 'Renumber them after the applied ones, or allow out-of-order application explicitly (--allow-out-of-order).',
        migrations: outOfOrder,
      };
    }
    return undefined;
  }

  #unmetRequires(report: MigrationStatusReport, pending: readonly LoadedMigration[]): MigrateResult | undefined {
    const available = new Set(report.entries.filter((e) => e.state === 'applied').map((e) => e.id));
    const unmet: string[] = [];
    for (const m of pending) {
      for (const required of m.directives.requires) {
        if (!available.has(required)) unmet.push(`${m.id} requires ${required}`);
      }
      available.add(m.id);
    }
    if (unmet.length === 0) return undefined;
    return {
      status: 'refused',
      code: ErrorCode.MIGRATION_REQUIRES_UNMET,
      message: `Migration prerequisites are not met: ${unmet.join('; ')}.`,
      hint: 'Apply the required migrations first (check the tier and the --to target), or fix the -- spine:requires header.',
      migrations: pending.filter((m) => unmet.some((u) => u.startsWith(`${m.id} `))).map((m) => m.id),
    };
  }

  async #applyOne(
    migration: LoadedMigration,
    statements: readonly ParsedStatement[],
  ): Promise<{ kind: 'applied'; migration: AppliedMigration } | { kind: 'already-applied' } | { kind: 'failed'; failure: MigrationFailure }> {
    const started = performance.now();
    const appliedBy = this.#options.appliedBy ?? currentActor();
    const source = migration.definition.source;
    const run = async (executor: SqlExecutor): Promise<AppliedMigration['skipped']> => {
      const skipped: { line: number; reason: string }[] = [];
      for (const statement of statements) {
        try {
          const decision = await this.#db.dialect.prepareStatement(executor, statement);
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
    };
    const ledgerRow = () => ({
      migration_id: migration.id,
      package: source.packageName,
      package_version: source.version,
      tier: migration.definition.tier,
      dialect: migration.dialect,
      description: migration.description,
      checksum: migration.checksum,
      applied_at: new Date().toISOString(),
      applied_by: appliedBy,
      execution_time_ms: Math.round(performance.now() - started),
      success: 1,
      error_message: null,
      down_checksum: migration.downChecksum,
      bundle: null,
    });

    try {
      let skipped: AppliedMigration['skipped'];
      if (migration.directives.noTransaction) {
        skipped = await run(this.#db.executor());
        const recorded = await this.#db.transaction(async (tx) => {
          if ((await readLedgerIn(tx)).some((r) => r.migration_id === migration.id)) return false;
          await insertLedgerRow(tx, ledgerRow());
          return true;
        });
        if (!recorded) return { kind: 'already-applied' };
      } else {
        const outcome = await this.#db.transaction(async (tx) => {
          // Another process may have applied it while this one waited for the lock.
          if ((await readLedgerIn(tx)).some((r) => r.migration_id === migration.id)) return undefined;
          const result = await run(tx);
          await insertLedgerRow(tx, ledgerRow());
          return result;
        });
        if (outcome === undefined) return { kind: 'already-applied' };
        skipped = outcome;
      }
      return {
        kind: 'applied',
        migration: {
          id: migration.id,
          package: source.packageName,
          tier: migration.definition.tier,
          executionTimeMs: Math.round(performance.now() - started),
          statements: statements.length - skipped.length,
          skipped,
        },
      };
    } catch (error) {
      const statement = error instanceof StatementError ? error.statement : undefined;
      const cause = error instanceof StatementError ? error.original : error;
      const failure: MigrationFailure = {
        migrationId: migration.id,
        path: migration.path,
        line: statement?.line ?? null,
        statement: statement?.text ?? null,
        message: errorMessage(cause),
        code: isSpineError(cause) ? cause.code : ErrorCode.MIGRATION_FAILED,
        driverCode: driverCode(cause),
      };
      await recordFailure(this.#db.executor(), {
        migration_id: migration.id,
        package: source.packageName,
        package_version: source.version,
        dialect: migration.dialect,
        checksum: migration.checksum,
        failed_at: new Date().toISOString(),
        failed_by: appliedBy,
        execution_time_ms: Math.round(performance.now() - started),
        statement_line: failure.line,
        statement: failure.statement,
        error_message: failure.message,
      });
      return { kind: 'failed', failure };
    }
  }
}
