import { existsSync, statSync } from 'node:fs';
import { ErrorCode, Migrator, SpineConfigSchema, SpineError, configuredFeatures, openSpineDb } from '@market-spine/core';
import type { SpineConfig, SpineDb } from '@market-spine/core';
import { riskMigrationSource } from './migration-source.js';
import { RISK_SCHEMA_VERSION, readRiskSchemaState } from './schema-version.js';
import { RiskRepository } from './repository.js';
import type { RiskTables } from './tables.js';
import { upgradeRiskDatabase } from './upgrade.js';
import type { RiskUpgradeResult } from './upgrade.js';
import { V1_BASELINE_MIGRATION } from './verification.js';

/** Options of {@link openRiskDb}. */
export interface OpenRiskDbOptions {
  /** The SQLite state database (`data/state.db`); created with the current schema when missing. */
  readonly path: string;
  /** The config (`schema.auto_migrate`, `track_unrealized_pnl`, backups). Default: every default (no auto-migrate). */
  readonly config?: SpineConfig;
  /**
   * The schema version the calling code is written for (default {@link RISK_SCHEMA_VERSION}).
   * Seed 002's matrix: code reads its own version; v2 code upgrades a v1
   * database when `auto_migrate` is on; older code refuses a newer database.
   */
  readonly codeVersion?: number;
}

/** An open state database and what the startup check found. */
export interface RiskDb {
  readonly db: SpineDb<RiskTables>;
  /** The schema version now in place (seed 004 Phase 6: "Database schema version: 2"). */
  readonly schemaVersion: number;
  /** The upgrade `auto_migrate` ran on open, if any. */
  readonly upgrade: RiskUpgradeResult | null;
  /** The typed reads and validated writes a daemon uses, on this database. */
  readonly repository: RiskRepository;
  close(): Promise<void>;
}

/**
 * The daemon's startup check (seed 002 compatibility matrix, seed 004
 * Phase 6): opens the state database and returns its schema version.
 * - a missing or empty file gets the current schema (v1 baseline and v2 phases);
 * - a database newer than `codeVersion` is refused (`MIGRATION_FUTURE`): v1 code cannot read v2;
 * - an older one is upgraded with {@link upgradeRiskDatabase} (backup, phases, verification,
 *   restore on failure) when `schema.auto_migrate` is true, else refused (`SCHEMA_NOT_MIGRATED`);
 * - at the current version, an optional phase whose flag was turned on since is applied under the same rule.
 *
 * @throws SpineError `MIGRATION_FUTURE`, `SCHEMA_NOT_MIGRATED`, `DB_IN_USE`, `MIGRATION_FAILED`, `VERIFY_FAILED`, `DB_OPEN_FAILED`
 */
export async function openRiskDb(options: OpenRiskDbOptions): Promise<RiskDb> {
  const config = options.config ?? SpineConfigSchema.parse({});
  const codeVersion = options.codeVersion ?? RISK_SCHEMA_VERSION;
  const fresh = !existsSync(options.path) || statSync(options.path).size === 0;
  let upgrade: RiskUpgradeResult | null = null;
  if (fresh) await createCurrentSchema(options.path, config, codeVersion);
  else {
    const pending = await versionCheck(options.path, config, codeVersion);
    if (pending) {
      if (!config.database.schema.auto_migrate) {
        throw new SpineError(ErrorCode.SCHEMA_NOT_MIGRATED, `${options.path} has schema v${pending.version}; this code needs v${codeVersion}${pending.optional ? ' with daily_unrealized_pnl (track_unrealized_pnl is on)' : ''}.`, {
          hint: 'Run `spine risk upgrade --db <path>`, or set database.schema.auto_migrate: true.',
        });
      }
      upgrade = await upgradeRiskDatabase({ path: options.path, config });
      if (upgrade.status === 'refused') throw new SpineError(upgrade.code, upgrade.message, { hint: upgrade.hint });
      if (upgrade.status === 'failed') {
        throw new SpineError(ErrorCode.VERIFY_FAILED, `Upgrading ${options.path} failed at ${upgrade.stage}: ${upgrade.message}${upgrade.problems.length ? ` (${upgrade.problems.join('; ')})` : ''}; ${upgrade.restored ? `the backup ${upgrade.backup.path} was restored` : `restoring ${upgrade.backup.path} failed: ${upgrade.restoreError}`}.`, {
          hint: 'The database is as it was before; check `spine risk upgrade --dry-run` and the log.',
        });
      }
    }
  }
  const db = await openSpineDb<RiskTables>({ target: options.path });
  try {
    const state = await readRiskSchemaState(db);
    return { db, schemaVersion: state.version, upgrade, repository: new RiskRepository(db), close: () => db.close() };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Refuses a newer database; says whether an older one (or a newly enabled optional phase) needs the upgrade. */
async function versionCheck(path: string, config: SpineConfig, codeVersion: number): Promise<{ version: number; optional: boolean } | null> {
  const db = await openSpineDb({ target: path, readonly: true });
  try {
    const state = await readRiskSchemaState(db);
    if (state.version > codeVersion) {
      throw new SpineError(ErrorCode.MIGRATION_FUTURE, `${path} has schema v${state.version}; this code reads v${codeVersion} at most.`, {
        hint: 'Run the newer code, or restore the pre-v2 backup with `spine risk rollback`.',
      });
    }
    if (state.version < codeVersion) return { version: state.version, optional: false };
    if (codeVersion < RISK_SCHEMA_VERSION) return null;
    const status = await new Migrator(db, { sources: [riskMigrationSource()], features: configuredFeatures(config) }).status();
    return status.entries.some((e) => e.state === 'pending') ? { version: state.version, optional: true } : null;
  } finally {
    await db.close();
  }
}

/** A new state database: the v1 baseline, then (for v2 code) the v2 phases the config enables. */
async function createCurrentSchema(path: string, config: SpineConfig, codeVersion: number): Promise<void> {
  const db = await openSpineDb({ target: path });
  try {
    const migrator = new Migrator(db, { sources: [riskMigrationSource()], features: configuredFeatures(config) });
    const result = await migrator.migrate(codeVersion < RISK_SCHEMA_VERSION ? { to: V1_BASELINE_MIGRATION } : {});
    if (result.status === 'refused') throw new SpineError(result.code, result.message, { hint: result.hint });
    if (result.status === 'failed') throw new SpineError(result.failure.code, `${result.failure.migrationId} failed: ${result.failure.message}`);
  } finally {
    await db.close();
  }
}
