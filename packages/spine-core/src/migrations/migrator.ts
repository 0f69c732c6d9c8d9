import type { DialectName, ParsedStatement } from '../dialect/types.js';
import { ErrorCode, SpineError, isSpineError } from '../errors.js';
import { nowIso } from '../ids.js';
import type { SpineDb } from '../spine-db.js';
import { runMigrationScript } from './apply.js';
import type { AppliedMigration, MigrationFailure } from './apply.js';
import { discoverMigrations, loadMigration } from './discovery.js';
import type { LoadedMigration, MigrationDefinition } from './discovery.js';
import { currentActor, ensureLedger, insertLedgerRow, logEvent, readLedger, readLedgerIn } from './ledger.js';
import type { LedgerRow } from './ledger.js';
import type { MigrationSource } from './source.js';
import { computeStatus } from './status.js';
import type { MigrationState, MigrationStatusReport } from './status.js';
import { tiersUpTo } from './tiers.js';
import type { Tier } from './tiers.js';
import { verifyDatabase } from './verify.js';
import type { VerifyResult } from './verify.js';

export type { AppliedMigration, MigrationFailure } from './apply.js';

/** Nothing was done because a precondition failed; `migrations` are the ones at fault. */
export interface Refusal {
  readonly status: 'refused';
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly migrations: readonly string[];
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
  | Refusal;

/** Outcome of `rollback`, shaped like {@link MigrateResult}; `rolledBack` in the order undone. */
export type RollbackResult =
  | { readonly status: 'ok'; readonly rolledBack: readonly AppliedMigration[] }
  | { readonly status: 'failed'; readonly rolledBack: readonly AppliedMigration[]; readonly failure: MigrationFailure }
  | Refusal;

/** Outcome of `baseline`. */
export type BaselineResult = { readonly status: 'ok'; readonly baselined: readonly string[] } | Refusal;

/** Outcome of `repair`. */
export type RepairResult =
  | { readonly status: 'ok'; readonly id: string; readonly previousChecksum: string; readonly checksum: string }
  | { readonly status: 'unchanged'; readonly id: string; readonly checksum: string }
  | Refusal;

/** A problem `validate` found. */
export interface ValidationProblem {
  readonly id: string;
  readonly state: Exclude<MigrationState, 'applied' | 'pending'>;
  readonly message: string;
}

/** Outcome of `validate`: `valid` when every applied script matches and nothing is missing, future or out of order. */
export type ValidationResult =
  | { readonly status: 'valid'; readonly report: MigrationStatusReport }
  | { readonly status: 'invalid'; readonly problems: readonly ValidationProblem[]; readonly report: MigrationStatusReport };

/** A migration `migrate` would run, as `plan` shows it. */
export interface PlannedMigration {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly tier: string;
  readonly description: string;
  readonly path: string;
  readonly checksum: string;
  /** False for `-- spine:no-transaction` scripts (each statement commits on its own). */
  readonly transactional: boolean;
  /** The table a `-- spine:rebuild` script rebuilds, else null. */
  readonly rebuild: string | null;
  /** The statements, as split, with their 1-based line in the script. */
  readonly statements: readonly { readonly line: number; readonly text: string }[];
  /** The whole script. */
  readonly sql: string;
}

/** What `migrate` would do, computed without changing the database. */
export interface MigrationPlan {
  readonly dialect: DialectName;
  readonly location: string;
  readonly tier: Tier;
  /** Set when `migrate` would refuse; `migrations` below is then what it would run once the refusal is resolved. */
  readonly refusal: Refusal | null;
  readonly migrations: readonly PlannedMigration[];
}

/** Progress of a `migrate` or `rollback` run, for a CLI or log. */
export type MigrationEvent =
  | { readonly type: 'waiting-for-lock'; readonly holder: string }
  | { readonly type: 'start'; readonly id: string; readonly index: number; readonly total: number }
  | { readonly type: 'applied'; readonly migration: AppliedMigration }
  | { readonly type: 'rolled-back'; readonly migration: AppliedMigration }
  | { readonly type: 'already-applied'; readonly id: string };

/** Options for a {@link Migrator}. */
export interface MigratorOptions {
  /** The packages whose migrations to manage, in any order (dependencies are resolved). */
  readonly sources: readonly MigrationSource[];
  /** Highest tier to apply; default `basic` (seed 003). */
  readonly tier?: Tier;
  /** Optional features (`-- spine:feature <name>`) that are enabled; others' migrations are not selected. */
  readonly features?: Readonly<Record<string, boolean>>;
  /** Apply pending migrations numbered below applied ones. Default false. */
  readonly allowOutOfOrder?: boolean;
  /** Recorded in `applied_by`; default `user@host`. */
  readonly appliedBy?: string;
  /** How long `migrate`, `rollback` and `baseline` wait for another process's migration lock, in ms. Default 60 000. */
  readonly lockTimeoutMs?: number;
  /**
   * Restricts the selection to these migration ids (a quarterly bundle's),
   * still in apply order and still subject to `tier` and `features`.
   * Every id must be selected, else `selected()` throws `INVALID_ARGUMENT`.
   */
  readonly only?: readonly string[];
  /** Recorded in the `bundle` column of the ledger rows `migrate` writes (a quarterly bundle's id); default null. */
  readonly bundle?: string;
}

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

function refusal(code: ErrorCode, message: string, hint: string, migrations: readonly string[]): Refusal {
  return { status: 'refused', code, message, hint, migrations };
}

/**
 * The migrations a configuration applies on a dialect: in the tiers up to
 * `tier`, with every feature they name enabled, and with a script for the
 * dialect (its variant or the portable file), in apply order.
 *
 * @throws SpineError `CONFIG_INVALID` when `features` names one no migration declares
 */
export function selectMigrations(
  definitions: readonly MigrationDefinition[],
  dialect: DialectName,
  tier: Tier,
  features: Readonly<Record<string, boolean>>,
): LoadedMigration[] {
  const tiers = new Set<string>(tiersUpTo(tier));
  const loaded = definitions.map((d) => loadMigration(d, dialect)).filter((m): m is LoadedMigration => m !== undefined);
  const declared = new Set(loaded.flatMap((m) => m.directives.features));
  const unknown = Object.keys(features).filter((f) => !declared.has(f));
  if (unknown.length > 0) {
    throw new SpineError(ErrorCode.CONFIG_INVALID, `Unknown optional feature(s) in the config: ${unknown.join(', ')}.`, {
      hint: declared.size === 0 ? 'No installed migration declares an optional feature; remove these keys.' : `Known features: ${[...declared].join(', ')}.`,
    });
  }
  return loaded.filter((m) => tiers.has(m.definition.tier) && m.directives.features.every((f) => features[f] === true));
}

/**
 * Applies, reports on and undoes the SQL migrations of a set of packages on
 * one database. Each migration runs in its own transaction with its ledger
 * row; runs that change the schema hold the dialect's migration lock.
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

  /**
   * The migrations this configuration applies: in its tiers, with every
   * feature they name enabled, and with a script for this database's dialect.
   *
   * @throws SpineError `CONFIG_INVALID` when the features name one no migration declares
   */
  selected(): LoadedMigration[] {
    const selected = selectMigrations(this.definitions(), this.#db.dialectName, this.#tier, this.#options.features ?? {});
    const only = this.#options.only;
    if (only === undefined) return selected;
    const wanted = new Set(only);
    const restricted = selected.filter((m) => wanted.has(m.id));
    if (restricted.length !== wanted.size) {
      const found = new Set(restricted.map((m) => m.id));
      const absent = only.filter((id) => !found.has(id));
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Migration(s) ${absent.join(', ')} are not selected for ${this.#db.dialectName} at tier ${this.#tier}.`, {
        hint: 'Check the ids, the tier and the optional features; `spine db status` lists the selected migrations.',
      });
    }
    return restricted;
  }

  /**
   * Integrity, foreign keys, applied checksums, and drift: the live schema
   * compared with the schema the applied migrations create (replayed into a
   * scratch database). Never writes.
   */
  async verify(): Promise<VerifyResult> {
    const known = new Map<string, LoadedMigration>();
    for (const d of this.definitions()) {
      const m = loadMigration(d, this.#db.dialectName);
      if (m) known.set(m.id, m);
    }
    return verifyDatabase(this.#db, await readLedger(this.#db), known);
  }

  /** Reads the ledger and the files and reports each migration's state. Never writes. */
  async status(): Promise<MigrationStatusReport> {
    return this.#status(await readLedger(this.#db), this.selected());
  }

  #status(ledger: readonly LedgerRow[], selected: readonly LoadedMigration[]): MigrationStatusReport {
    return computeStatus({ dialect: this.#db.dialectName, location: this.#db.location, tier: this.#tier, ledger, selected, definitions: this.definitions() });
  }

  /**
   * Checks the applied migrations against the files: any changed checksum,
   * missing file, future migration, or (unless allowed) out-of-order pending
   * migration makes the result `invalid`. Never writes.
   */
  async validate(): Promise<ValidationResult> {
    const report = await this.status();
    const problems: ValidationProblem[] = [];
    for (const e of report.entries) {
      if (e.state === 'changed') problems.push({ id: e.id, state: e.state, message: `${e.id}: applied script changed (checksum ${e.appliedChecksum?.slice(0, 12)}… applied, ${e.checksum?.slice(0, 12)}… on disk).` });
      else if (e.state === 'missing') problems.push({ id: e.id, state: e.state, message: `${e.id}: applied, but its file is missing from ${e.package}.` });
      else if (e.state === 'future') problems.push({ id: e.id, state: e.state, message: `${e.id}: applied by a newer or another build (${e.package} ${e.version}); this build does not know it.` });
      else if (e.state === 'out-of-order' && !this.#options.allowOutOfOrder) problems.push({ id: e.id, state: e.state, message: `${e.id}: pending, but numbered below an applied migration of its package and tier.` });
    }
    return problems.length === 0 ? { status: 'valid', report } : { status: 'invalid', problems, report };
  }

  /** Why `migrate` must not run on this state, or null. */
  #refusal(report: MigrationStatusReport, selected: readonly LoadedMigration[]): Refusal | null {
    const ids = (state: MigrationState) => report.entries.filter((e) => e.state === state).map((e) => e.id);
    const future = ids('future');
    if (future.length > 0) {
      return refusal(
        ErrorCode.MIGRATION_FUTURE,
        `The database holds ${future.length} migration(s) this build does not know: ${future.join(', ')}. It was migrated by a newer version (seed 002: an older build must not write to a newer database).`,
        'Upgrade Market Spine to the version that applied them, or restore a backup taken before they were applied (`spine db restore`).',
        future,
      );
    }
    const missing = ids('missing');
    if (missing.length > 0) {
      return refusal(ErrorCode.MIGRATION_BAD_FILE, `Applied migration file(s) are missing: ${missing.join(', ')}.`, 'Restore the files from version control; applied migrations must stay in the package.', missing);
    }
    const changed = ids('changed');
    if (changed.length > 0) {
      const paths = selected.filter((m) => changed.includes(m.id)).map((m) => m.path);
      return refusal(
        ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
        `Applied migration script(s) changed since they were applied: ${changed.join(', ')}.`,
        `Restore the original content of ${paths.join(', ')} (change the schema with a new migration), or, if the edit is harmless, record it with \`spine db repair <id> --reason "…"\`.`,
        changed,
      );
    }
    const outOfOrder = ids('out-of-order');
    if (outOfOrder.length > 0 && !this.#options.allowOutOfOrder) {
      return refusal(
        ErrorCode.MIGRATION_OUT_OF_ORDER,
        `Pending migration(s) numbered below applied ones of the same package and tier: ${outOfOrder.join(', ')}.`,
        'Renumber them after the applied ones, or allow out-of-order application explicitly (--allow-out-of-order).',
        outOfOrder,
      );
    }
    return null;
  }

  /** The pending migrations up to `to`, or a refusal for an unmet `requires`. */
  #pending(report: MigrationStatusReport, selected: readonly LoadedMigration[], to: string | undefined): LoadedMigration[] | Refusal {
    const pendingIds = new Set(report.entries.filter((e) => e.state === 'pending' || e.state === 'out-of-order').map((e) => e.id));
    let pending = selected.filter((m) => pendingIds.has(m.id));
    if (to !== undefined) {
      if (!selected.some((m) => m.id === to)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `No migration ${JSON.stringify(to)} in tier ${this.#tier}.`, { hint: 'Run `spine db status` to list migration ids.' });
      }
      const stop = pending.findIndex((m) => m.id === to);
      pending = stop === -1 ? [] : pending.slice(0, stop + 1);
    }
    const available = new Set(report.entries.filter((e) => e.state === 'applied').map((e) => e.id));
    const unmet: string[] = [];
    const offenders: string[] = [];
    for (const m of pending) {
      for (const required of m.directives.requires) {
        if (!available.has(required)) {
          unmet.push(`${m.id} requires ${required}`);
          offenders.push(m.id);
        }
      }
      available.add(m.id);
    }
    if (unmet.length > 0) {
      return refusal(
        ErrorCode.MIGRATION_REQUIRES_UNMET,
        `Migration prerequisites are not met: ${unmet.join('; ')}.`,
        'Apply the required migrations first (check the tier, the features and the --to target), or fix the -- spine:requires header.',
        [...new Set(offenders)],
      );
    }
    return pending;
  }

  /** Splits scripts; a script the dialect's tokenizer rejects refuses the whole run. */
  #split(migrations: readonly LoadedMigration[]): Map<string, ParsedStatement[]> | Refusal {
    const split = new Map<string, ParsedStatement[]>();
    for (const m of migrations) {
      try {
        split.set(m.id, this.#db.dialect.splitStatements(m.script, m.path));
      } catch (error) {
        if (!isSpineError(error)) throw error;
        return refusal(error.code, error.message, error.hint ?? '', [m.id]);
      }
    }
    return split;
  }

  /**
   * What `migrate` would run, in order, with each script's statements and
   * whether it runs in a transaction. Reads the ledger; never writes (not
   * even the ledger table).
   *
   * @throws SpineError `INVALID_ARGUMENT` when `to` is not a selected migration
   */
  async plan(options: { to?: string } = {}): Promise<MigrationPlan> {
    const selected = this.selected();
    const report = this.#status(await readLedger(this.#db), selected);
    let refused = this.#refusal(report, selected);
    const pending = this.#pending(report, selected, options.to);
    let migrations: LoadedMigration[] = [];
    if (Array.isArray(pending)) migrations = pending;
    else refused ??= pending;
    const split = this.#split(migrations);
    if (!(split instanceof Map)) refused ??= split;
    return {
      dialect: this.#db.dialectName,
      location: this.#db.location,
      tier: this.#tier,
      refusal: refused,
      migrations: migrations.map((m) => ({
        id: m.id,
        package: m.definition.source.packageName,
        version: m.definition.source.version,
        tier: m.definition.tier,
        description: m.description,
        path: m.path,
        checksum: m.checksum,
        transactional: !m.directives.noTransaction,
        rebuild: m.directives.rebuild,
        statements: (split instanceof Map ? (split.get(m.id) ?? []) : []).map((s) => ({ line: s.line, text: s.text })),
        sql: m.script,
      })),
    };
  }

  /** Runs `fn` holding the migration lock; the ledger is created and read only under it, so waiters never block on SQLite's own locks. */
  async #withLock<T>(purpose: string, onEvent: ((event: MigrationEvent) => void) | undefined, fn: () => Promise<T>): Promise<T> {
    const lock = await this.#db.dialect.acquireMigrationLock({
      timeoutMs: this.#options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      purpose,
      onWait: (holder) =>
        onEvent?.({ type: 'waiting-for-lock', holder: holder === null ? 'another process' : `pid ${holder.pid} on ${holder.host} since ${holder.since} (${holder.purpose})` }),
    });
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Applies pending migrations in order, each in its own transaction
   * (`BEGIN IMMEDIATE` on SQLite) with its ledger row, under the migration
   * lock, so two processes apply each migration once: the second waits, then
   * finds nothing pending. A failing statement rolls its migration back, is
   * logged in `_migration_log`, and stops the run.
   *
   * Refuses, before applying anything, when the database holds migrations
   * this build does not know (it is newer), an applied file is missing or
   * changed, a pending migration is out of order (unless allowed), a
   * `requires` header is unmet, or a pending script cannot be split.
   *
   * @param options `to`: apply up to and including this id; `onEvent`: progress callback;
   *   `beforeApply`: called under the lock with the migrations about to run (e.g. to back up first) — a throw refuses the run;
   *   `guard`: called under the lock with the ledger (empty when there is none) before anything is written, not even
   *   the ledger table — a refusal it returns is the run's result (a quarterly bundle's already-applied check)
   * @throws SpineError `INVALID_ARGUMENT` for an unknown `to`; `MIGRATION_LOCKED` when the lock is not obtained in time
   */
  async migrate(
    options: {
      to?: string;
      onEvent?: (event: MigrationEvent) => void;
      beforeApply?: (pending: readonly LoadedMigration[]) => Promise<void>;
      guard?: (ledger: readonly LedgerRow[]) => Refusal | null;
    } = {},
  ): Promise<MigrateResult> {
    const selected = this.selected();
    return this.#withLock('migrate', options.onEvent, async () => {
      const guarded = options.guard?.(await readLedger(this.#db)) ?? null;
      if (guarded) return guarded;
      await ensureLedger(this.#db);
      const report = this.#status(await readLedger(this.#db), selected);
      const refused = this.#refusal(report, selected);
      if (refused) return refused;
      const pending = this.#pending(report, selected, options.to);
      if (!Array.isArray(pending)) return pending;
      // Split every script before running any, so a syntax error in the last
      // migration does not leave the first ones applied.
      const split = this.#split(pending);
      if (!(split instanceof Map)) return split;
      if (pending.length > 0 && options.beforeApply) {
        try {
          await options.beforeApply(pending);
        } catch (error) {
          if (!isSpineError(error)) throw error;
          return refusal(error.code, `Nothing applied: ${error.message}`, error.hint ?? '', pending.map((m) => m.id));
        }
      }
      const actor = this.#options.appliedBy ?? currentActor();
      const applied: AppliedMigration[] = [];
      for (const [index, migration] of pending.entries()) {
        options.onEvent?.({ type: 'start', id: migration.id, index, total: pending.length });
        const outcome = await runMigrationScript(
          this.#db,
          migration,
          { path: migration.path, checksum: migration.checksum, statements: split.get(migration.id) ?? [], noTransaction: migration.directives.noTransaction, rebuild: migration.directives.rebuild },
          { kind: 'up', ledgerKind: 'migrate', bundle: this.#options.bundle ?? null },
          actor,
        );
        if (outcome.kind === 'failed') return { status: 'failed', applied, failure: outcome.failure };
        if (outcome.kind === 'already-done') {
          options.onEvent?.({ type: 'already-applied', id: migration.id });
          continue;
        }
        applied.push(outcome.migration);
        options.onEvent?.({ type: 'applied', migration: outcome.migration });
      }
      return { status: 'ok', applied };
    });
  }

  /**
   * Adopts a database built without the ledger: records the selected
   * migrations up to and including `to` as applied (kind `baseline`), after
   * checking that every table, index, view and trigger they create (and do
   * not drop again) exists. Refuses when the ledger already has rows.
   *
   * @throws SpineError `INVALID_ARGUMENT` when `to` is not a selected migration
   */
  async baseline(options: { to: string; onEvent?: (event: MigrationEvent) => void }): Promise<BaselineResult> {
    const selected = this.selected();
    const stop = selected.findIndex((m) => m.id === options.to);
    if (stop === -1) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `No migration ${JSON.stringify(options.to)} in tier ${this.#tier}.`, { hint: 'Run `spine db status` to list migration ids.' });
    }
    const range = selected.slice(0, stop + 1);
    const split = this.#split(range);
    if (!(split instanceof Map)) return split;
    return this.#withLock('baseline', options.onEvent, async () => {
      await ensureLedger(this.#db);
      const ledger = await readLedger(this.#db);
      if (ledger.length > 0) {
        return refusal(
          ErrorCode.INVALID_ARGUMENT,
          `The database already has a ledger with ${ledger.length} migration(s); baseline is for a database built without one.`,
          'Use `spine db migrate` to bring it up to date instead.',
          [],
        );
      }
      const expected = new Map<string, { type: string; name: string; by: string }>();
      for (const m of range) {
        for (const s of split.get(m.id) ?? []) {
          for (const d of s.drops) expected.delete(`${d.type}:${d.name.toLowerCase()}`);
          for (const c of s.creates) expected.set(`${c.type}:${c.name.toLowerCase()}`, { ...c, by: m.id });
        }
      }
      const live = new Set((await this.#db.dialect.introspector.listObjects(this.#db.executor())).map((o) => `${o.type}:${o.name.toLowerCase()}`));
      const absent = [...expected.entries()].filter(([key]) => !live.has(key)).map(([, o]) => o);
      if (absent.length > 0) {
        return refusal(
          ErrorCode.VERIFY_FAILED,
          `The database lacks ${absent.length} object(s) the migrations up to ${options.to} create: ${absent.map((o) => `${o.type} ${o.name} (${o.by})`).join(', ')}.`,
          'Baseline at an earlier migration, or let `spine db migrate` create the schema.',
          [...new Set(absent.map((o) => o.by))],
        );
      }
      const actor = this.#options.appliedBy ?? currentActor();
      await this.#db.transaction(async (tx) => {
        for (const m of range) {
          const row = {
            migration_id: m.id,
            package: m.definition.source.packageName,
            package_version: m.definition.source.version,
            tier: m.definition.tier,
            dialect: m.dialect,
            description: m.description,
            checksum: m.checksum,
            applied_at: nowIso(),
            applied_by: actor,
            execution_time_ms: 0,
            success: 1,
            error_message: null,
            down_checksum: m.downChecksum,
            bundle: null,
            kind: 'baseline' as const,
          };
          await insertLedgerRow(tx, row);
          await logEvent(tx, {
            event: 'baselined',
            migration_id: m.id,
            package: row.package,
            package_version: row.package_version,
            dialect: m.dialect,
            checksum: m.checksum,
            previous_checksum: null,
            execution_time_ms: null,
            statement_line: null,
            statement: null,
            message: `baseline to ${options.to}`,
            by: actor,
          });
        }
      });
      return { status: 'ok', baselined: range.map((m) => m.id) };
    });
  }

  /**
   * Re-records the checksum of ONE applied migration whose script was edited
   * harmlessly (a comment, formatting), keeping the reason in the log. Never
   * touches the schema.
   *
   * @throws SpineError `INVALID_ARGUMENT` for an empty reason
   */
  async repair(id: string, reason: string): Promise<RepairResult> {
    if (reason.trim() === '') {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'A repair needs a reason.', { hint: 'Say why the applied script changed: --reason "…".' });
    }
    const migration = this.selected().find((m) => m.id === id) ?? this.definitions().map((d) => loadMigration(d, this.#db.dialectName)).find((m) => m?.id === id);
    if (!migration) return refusal(ErrorCode.INVALID_ARGUMENT, `No migration file for ${id}.`, 'Repair re-records the checksum of a migration whose file exists; check the id with `spine db status`.', [id]);
    return this.#withLock('repair', undefined, async () => {
      const ledger = await readLedger(this.#db);
      const future = this.#status(ledger, this.selected()).entries.filter((e) => e.state === 'future').map((e) => e.id);
      if (future.length > 0) {
        return refusal(ErrorCode.MIGRATION_FUTURE, `The database holds migrations this build does not know (${future.join(', ')}); it will not change its ledger.`, 'Run the newer version of Market Spine.', future);
      }
      const row = ledger.find((r) => r.migration_id === id);
      if (!row) return refusal(ErrorCode.INVALID_ARGUMENT, `${id} is not applied; there is nothing to repair.`, 'Apply it with `spine db migrate`.', [id]);
      if (row.checksum === migration.checksum) return { status: 'unchanged', id, checksum: row.checksum };
      await this.#db.transaction(async (tx) => {
        await tx.kysely.updateTable('_migrations').set({ checksum: migration.checksum, down_checksum: migration.downChecksum }).where('migration_id', '=', id).execute();
        await logEvent(tx, {
          event: 'repaired',
          migration_id: id,
          package: row.package,
          package_version: row.package_version,
          dialect: row.dialect,
          checksum: migration.checksum,
          previous_checksum: row.checksum,
          execution_time_ms: null,
          statement_line: null,
          statement: null,
          message: reason.trim(),
          by: this.#options.appliedBy ?? currentActor(),
        });
      });
      return { status: 'ok', id, previousChecksum: row.checksum, checksum: migration.checksum };
    });
  }

  /**
   * Undoes applied migrations with their down scripts, newest first, each
   * atomically with the removal of its ledger row: either the last `steps`
   * migrations or every migration applied after `to`. Refuses, before
   * running anything, when a migration in the range has no down script for
   * this dialect, its down script changed since it was applied, or this
   * build does not know it.
   *
   * @throws SpineError `INVALID_ARGUMENT` for a bad `to`/`steps`
   */
  async rollback(
    options: { to?: string; steps?: number; onEvent?: (event: MigrationEvent) => void; beforeApply?: (range: readonly LoadedMigration[]) => Promise<void> },
  ): Promise<RollbackResult> {
    if ((options.to === undefined) === (options.steps === undefined)) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'Give either --to <id> or --steps <n> for a rollback.');
    }
    if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--steps must be a positive integer, got ${String(options.steps)}.`);
    }
    return this.#withLock('rollback', options.onEvent, async () => {
      await ensureLedger(this.#db);
      const ledger = await readLedgerIn(this.#db.executor());
      let range: LedgerRow[];
      if (options.to !== undefined) {
        const at = ledger.findIndex((r) => r.migration_id === options.to);
        if (at === -1) throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${options.to} is not applied.`, { hint: 'Pick an applied migration from `spine db status`.' });
        range = ledger.slice(at + 1);
      } else {
        range = ledger.slice(Math.max(0, ledger.length - (options.steps ?? 0)));
      }
      range.reverse();
      const byId = new Map(this.definitions().map((d) => [d.id, d]));
      const problems: string[] = [];
      const plans: { migration: LoadedMigration; path: string; script: string; checksum: string }[] = [];
      for (const row of range) {
        const definition = byId.get(row.migration_id);
        const migration = definition === undefined ? undefined : loadMigration(definition, this.#db.dialectName);
        if (!definition || !migration) {
          problems.push(`${row.migration_id} is unknown to this build`);
          continue;
        }
        const down = migration.down;
        if (!down) {
          problems.push(`${row.migration_id} has no down script for ${this.#db.dialectName}`);
          continue;
        }
        if (row.down_checksum !== null && row.down_checksum !== down.checksum) {
          problems.push(`${row.migration_id}'s down script changed since the migration was applied`);
          continue;
        }
        plans.push({ migration, path: down.path, script: down.script, checksum: down.checksum });
      }
      if (problems.length > 0) {
        return refusal(ErrorCode.ROLLBACK_REFUSED, `Rollback refused, nothing undone: ${problems.join('; ')}.`, 'Add the missing down scripts (<NNNN>_<slug>.down.sql), or restore a backup instead (`spine db restore`).', range.map((r) => r.migration_id));
      }
      const split = new Map<string, ParsedStatement[]>();
      for (const p of plans) {
        try {
          split.set(p.migration.id, this.#db.dialect.splitStatements(p.script, p.path));
        } catch (error) {
          if (!isSpineError(error)) throw error;
          return refusal(error.code, error.message, error.hint ?? '', [p.migration.id]);
        }
      }
      if (plans.length > 0 && options.beforeApply) {
        try {
          await options.beforeApply(plans.map((p) => p.migration));
        } catch (error) {
          if (!isSpineError(error)) throw error;
          return refusal(error.code, `Nothing undone: ${error.message}`, error.hint ?? '', plans.map((p) => p.migration.id));
        }
      }
      const actor = this.#options.appliedBy ?? currentActor();
      const rolledBack: AppliedMigration[] = [];
      for (const [index, p] of plans.entries()) {
        options.onEvent?.({ type: 'start', id: p.migration.id, index, total: plans.length });
        const directives = p.migration.down?.directives;
        const outcome = await runMigrationScript(
          this.#db,
          p.migration,
          { path: p.path, checksum: p.checksum, statements: split.get(p.migration.id) ?? [], noTransaction: directives?.noTransaction ?? false, rebuild: directives?.rebuild ?? null },
          { kind: 'down' },
          actor,
        );
        if (outcome.kind === 'failed') return { status: 'failed', rolledBack, failure: outcome.failure };
        if (outcome.kind === 'done') {
          rolledBack.push(outcome.migration);
          options.onEvent?.({ type: 'rolled-back', migration: outcome.migration });
        }
      }
      return { status: 'ok', rolledBack };
    });
  }
}
