import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  ErrorCode,
  Migrator,
  SpineError,
  assertDatabaseNotInUse,
  backupDirectory,
  configuredFeatures,
  databaseBackups,
  errorMessage,
  isSpineError,
  openSpineDb,
  readLedger,
} from '@market-spine/core';
import type { BackupInfo, ErrorCode as ErrorCodeValue, RestoreResult, SpineConfig, SpineDb } from '@market-spine/core';
import { riskMigrationSource } from './migration-source.js';
import { RISK_SCHEMA_VERSION, readRiskSchemaState } from './schema-version.js';
import type { RiskSchemaState } from './schema-version.js';
import { V1_BASELINE_MIGRATION, verifyRiskDatabase } from './verification.js';
import type { RiskVerification } from './verification.js';

/** Label of the backup taken before the upgrade (file `state_pre-v2_<UTC>.db`, seed 004 Phase 0 step 3). */
export const PRE_V2_BACKUP_LABEL = 'pre-v2';

/** Seed 004's phases 1–3, each one migration applied atomically. */
export const RISK_UPGRADE_PHASES = [
  { phase: 1, migrationId: 'domains-risk/basic/0002_schema_version', done: 'Core migration successful', what: 'schema_version table, v1 baseline and v2 rows' },
  { phase: 2, migrationId: 'domains-risk/basic/0003_analytics_indexes', done: 'Analytics indexes created', what: 'idx_enforcement_log_success, idx_positions_updated, idx_orders_state_account' },
  { phase: 3, migrationId: 'domains-risk/basic/0004_daily_unrealized_pnl', done: 'Optional table created', what: 'daily_unrealized_pnl and its indexes (config track_unrealized_pnl)' },
] as const;

/** One of seed 004's phases 1–3. */
export type RiskPhaseNumber = (typeof RISK_UPGRADE_PHASES)[number]['phase'];

/** What happened to a phase: applied now, applied before, or skipped because its config flag is off. */
export interface RiskPhaseOutcome {
  readonly phase: RiskPhaseNumber;
  readonly migrationId: string;
  readonly outcome: 'applied' | 'already-applied' | 'skipped';
  /** Wall time of the phase's transaction, in milliseconds (0 when not applied now). */
  readonly ms: number;
}

/** Progress of an upgrade, in seed 004's order, for a CLI or a log. */
export type RiskUpgradeEvent =
  | { readonly type: 'checked'; readonly state: RiskSchemaState }
  | { readonly type: 'backup'; readonly backup: BackupInfo; readonly pruned: readonly string[] }
  | { readonly type: 'baselined'; readonly migrations: readonly string[] }
  | ({ readonly type: 'phase' } & RiskPhaseOutcome)
  | { readonly type: 'verified'; readonly verification: RiskVerification }
  | { readonly type: 'restored'; readonly restore: RestoreResult };

/** One step of a dry run's plan. */
export interface RiskPlannedStep {
  readonly step: 'check' | 'backup' | 'baseline' | 'phase' | 'verify';
  readonly phase?: RiskPhaseNumber;
  readonly migrationId?: string;
  readonly description: string;
  /** The SQL the step runs, for phases. */
  readonly sql?: string;
}

/** Where the upgrade stopped when it failed. */
export type RiskUpgradeStage = 'backup' | 'baseline' | RiskPhaseNumber | 'verify';

/**
 * Outcome of {@link upgradeRiskDatabase} (zod-style: expected outcomes are
 * results, not exceptions).
 * - `upgraded`: phases applied and verified.
 * - `current`: already at v2 with every enabled phase applied; verified.
 * - `planned`: a dry run; nothing was touched.
 * - `refused`: nothing was done (in use, missing, not a v1 database, newer than this code).
 * - `failed`: a step failed after the backup; the backup was restored (unless `restoreError` says why not).
 */
export type RiskUpgradeResult =
  | {
      readonly status: 'upgraded';
      readonly fromVersion: number;
      readonly version: number;
      readonly backup: BackupInfo;
      readonly baselined: readonly string[];
      readonly phases: readonly RiskPhaseOutcome[];
      readonly verification: RiskVerification;
    }
  | { readonly status: 'current'; readonly version: number; readonly phases: readonly RiskPhaseOutcome[]; readonly verification: RiskVerification }
  | { readonly status: 'planned'; readonly fromVersion: number; readonly steps: readonly RiskPlannedStep[] }
  | { readonly status: 'refused'; readonly code: ErrorCodeValue; readonly message: string; readonly hint: string }
  | {
      readonly status: 'failed';
      readonly stage: RiskUpgradeStage;
      readonly message: string;
      readonly problems: readonly string[];
      readonly backup: BackupInfo;
      readonly restored: RestoreResult | null;
      readonly restoreError?: string;
    };

/** What {@link upgradeRiskDatabase} needs. */
export interface RiskUpgradeOptions {
  /** The SQLite state database (`data/state.db`). */
  readonly path: string;
  /** The config (seed 004 `config/database.yaml`): `track_unrealized_pnl`, `backup.*`, `migration.lock_timeout_seconds`. */
  readonly config: SpineConfig;
  /** Show the plan only. */
  readonly dryRun?: boolean;
  readonly onEvent?: (event: RiskUpgradeEvent) => void;
}

const refused = (code: ErrorCodeValue, message: string, hint: string): RiskUpgradeResult => ({ status: 'refused', code, message, hint });

/**
 * Seed 004's v1 → v2 runbook as one call. Phase 0: the database must exist
 * and be unused (no other connection, no write lock), and be a v1 or v2 risk
 * database; a verified backup (`PRAGMA integrity_check`, size) is taken, the
 * retention policy applied. A database the engine never migrated is adopted
 * with a baseline of the v1 migration (its tables and indexes must exist; no
 * row changes). Phases 1–3 are applied, each in its own transaction; phase 3
 * only when `track_unrealized_pnl` is on (and later, when it is turned on).
 * Phase 4 verifies ({@link verifyRiskDatabase}). Any failure after the backup
 * restores it, moving the failed file aside.
 *
 * Running it again on a v2 database changes nothing and reports `current`.
 *
 * @throws only for what is not an outcome of the upgrade (e.g. the file system failing while reporting)
 */
export async function upgradeRiskDatabase(options: RiskUpgradeOptions): Promise<RiskUpgradeResult> {
  const { path, config } = options;
  const emit = options.onEvent ?? (() => undefined);
  if (!existsSync(path)) return refused(ErrorCode.DB_OPEN_FAILED, `No database at ${path}.`, 'Check --db; a new state database is created by the daemon (openRiskDb), not upgraded.');
  try {
    assertDatabaseNotInUse(path);
  } catch (error) {
    if (isSpineError(error)) return refused(error.code, error.message, error.hint ?? '');
    throw error;
  }

  const features = configuredFeatures(config);
  const migratorOptions = { sources: [riskMigrationSource()], features, lockTimeoutMs: config.database.migration.lock_timeout_seconds * 1000 };
  // Read-only until something is to be changed: a dry run, a refusal or an up-to-date database leave the file as it was.
  let db: SpineDb = await openSpineDb({ target: path, readonly: true });
  let open = true;
  const closeDb = async () => {
    if (open) await db.close();
    open = false;
  };
  let backup: BackupInfo | null = null;
  let stage: RiskUpgradeStage = 'backup';
  try {
    const state = await readRiskSchemaState(db);
    emit({ type: 'checked', state });
    if (state.version > RISK_SCHEMA_VERSION) {
      return refused(ErrorCode.MIGRATION_FUTURE, `${path} has schema v${state.version}, newer than this code (v${RISK_SCHEMA_VERSION}).`, 'Run the newer code, or restore a backup taken before that upgrade.');
    }
    if (state.version === 0) {
      return refused(ErrorCode.SCHEMA_NOT_MIGRATED, `${path} is not a risk manager state database: none of the nine v1 tables is there.`, 'Check --db; openRiskDb() creates a new state database.');
    }
    const migrator = new Migrator(db, migratorOptions);
    const ledger = (await readLedger(db)).map((r) => r.migration_id);
    const needsBaseline = !ledger.includes(V1_BASELINE_MIGRATION);
    const enabled = RISK_UPGRADE_PHASES.filter((p) => p.phase !== 3 || features.track_unrealized_pnl === true);
    const pending = enabled.filter((p) => !ledger.includes(p.migrationId));

    if (options.dryRun) return { status: 'planned', fromVersion: state.version, steps: plan(migrator, state, needsBaseline, pending) };
    const skippedOptional: RiskPhaseOutcome[] = features.track_unrealized_pnl === true ? [] : [{ phase: 3, migrationId: RISK_UPGRADE_PHASES[2].migrationId, outcome: 'skipped', ms: 0 }];
    if (!needsBaseline && pending.length === 0) {
      const phases = [...enabled.map((p): RiskPhaseOutcome => ({ phase: p.phase, migrationId: p.migrationId, outcome: 'already-applied', ms: 0 })), ...skippedOptional];
      const verification = await verifyRiskDatabase(db, config);
      emit({ type: 'verified', verification });
      return { status: 'current', version: verification.version, phases, verification };
    }

    await closeDb();
    db = await openSpineDb({ target: path });
    open = true;
    const writer = new Migrator(db, migratorOptions);

    // Phase 0: the backup every later failure falls back to.
    const backups = databaseBackups(path);
    const directory = backupDirectory(config, path);
    backup = await backups.create({ directory, label: PRE_V2_BACKUP_LABEL });
    const pruned = await backups.prune(directory, { retentionDays: config.database.backup.retention_days, maxBackups: config.database.backup.max_backups });
    emit({ type: 'backup', backup, pruned });

    const baselined: string[] = [];
    if (needsBaseline) {
      stage = 'baseline';
      const result = await writer.baseline({ to: V1_BASELINE_MIGRATION });
      if (result.status !== 'ok') throw new SpineError(result.code, result.message, { hint: result.hint });
      baselined.push(...result.baselined);
      emit({ type: 'baselined', migrations: baselined });
    }

    const phases: RiskPhaseOutcome[] = [];
    for (const phase of RISK_UPGRADE_PHASES) {
      let outcome: RiskPhaseOutcome;
      if (phase.phase === 3 && features.track_unrealized_pnl !== true) outcome = { phase: phase.phase, migrationId: phase.migrationId, outcome: 'skipped', ms: 0 };
      else if (ledger.includes(phase.migrationId)) outcome = { phase: phase.phase, migrationId: phase.migrationId, outcome: 'already-applied', ms: 0 };
      else {
        stage = phase.phase;
        const started = performance.now();
        const result = await writer.migrate({ to: phase.migrationId });
        if (result.status === 'refused') throw new SpineError(result.code, result.message, { hint: result.hint });
        if (result.status === 'failed') {
          throw new SpineError(result.failure.code, `${result.failure.migrationId} failed at line ${result.failure.line ?? '?'} and was rolled back: ${result.failure.message}`);
        }
        outcome = { phase: phase.phase, migrationId: phase.migrationId, outcome: 'applied', ms: Math.round(performance.now() - started) };
      }
      phases.push(outcome);
      emit({ type: 'phase', ...outcome });
    }

    stage = 'verify';
    const verification = await verifyRiskDatabase(db, config);
    emit({ type: 'verified', verification });
    if (!verification.ok) throw new VerificationFailed(verification);
    return { status: 'upgraded', fromVersion: state.version, version: verification.version, backup, baselined, phases, verification };
  } catch (error) {
    if (backup === null) throw error;
    // Scenario 2 of seed 004, done for the operator: the failed database goes aside, the backup comes back.
    await closeDb();
    const problems = error instanceof VerificationFailed ? [...error.verification.problems] : [];
    const message = error instanceof VerificationFailed ? 'Migration verification failed' : errorMessage(error);
    try {
      const restored = await databaseBackups(path).restore(backup.path);
      emit({ type: 'restored', restore: restored });
      return { status: 'failed', stage, message, problems, backup, restored };
    } catch (restoreError) {
      return { status: 'failed', stage, message, problems, backup, restored: null, restoreError: errorMessage(restoreError) };
    }
  } finally {
    await closeDb();
  }
}

/** A verification that failed: carries the problems to the restore. */
class VerificationFailed extends Error {
  constructor(readonly verification: RiskVerification) {
    super('Migration verification failed');
  }
}

function plan(migrator: Migrator, state: RiskSchemaState, needsBaseline: boolean, pending: readonly (typeof RISK_UPGRADE_PHASES)[number][]): RiskPlannedStep[] {
  const scripts = new Map(migrator.selected().map((m) => [m.id, m.script]));
  const steps: RiskPlannedStep[] = [
    { step: 'check', description: `schema v${state.version}; no other process may hold the database (WAL/SHM, write lock)` },
    { step: 'backup', description: `verified backup (integrity_check, size) labelled ${PRE_V2_BACKUP_LABEL}, retention applied` },
  ];
  if (needsBaseline) steps.push({ step: 'baseline', migrationId: V1_BASELINE_MIGRATION, description: 'adopt the existing v1 tables and indexes (checked to exist; no row changes)' });
  for (const p of pending) {
    const sql = scripts.get(p.migrationId);
    steps.push({ step: 'phase', phase: p.phase, migrationId: p.migrationId, description: p.what, ...(sql === undefined ? {} : { sql }) });
  }
  steps.push({ step: 'verify', description: 'schema version 2, v1 tables, new indexes, integrity_check, sample queries, drift' });
  return steps;
}
