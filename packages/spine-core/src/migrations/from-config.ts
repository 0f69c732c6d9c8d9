import { backupDirectory, configuredFeatures } from '../config.js';
import type { SpineConfig } from '../config.js';
import { safetyBackup } from '../backup/safety-backup.js';
import type { SafetyBackup } from '../backup/safety-backup.js';
import { ErrorCode, SpineError } from '../errors.js';
import type { SpineDb } from '../spine-db.js';
import { Migrator } from './migrator.js';
import type { MigrationEvent, MigratorOptions } from './migrator.js';
import type { MigrationSource } from './source.js';

/** Migrator options as a config file sets them: tier, optional features, lock timeout. */
export function migratorOptionsFromConfig(config: SpineConfig, sources: readonly MigrationSource[]): MigratorOptions {
  return {
    sources,
    tier: config.database.tier,
    features: configuredFeatures(config),
    lockTimeoutMs: config.database.migration.lock_timeout_seconds * 1000,
  };
}

/** What `migrateOnOpen` needs: the packages' migrations and the config (defaults when omitted). */
export interface MigrateOnOpenOptions {
  readonly sources: readonly MigrationSource[];
  readonly config: SpineConfig;
  readonly onEvent?: (event: MigrationEvent) => void;
}

/**
 * The startup check of a daemon or script (seed 002's compatibility matrix):
 * a database newer than the code is refused; pending migrations are applied
 * when the config says `schema.auto_migrate: true` (with a safety backup and
 * a verification when `migration.create_backup` / `verify_after` say so), and
 * refused otherwise.
 *
 * @returns the safety backup taken, if any
 * @throws SpineError `MIGRATION_FUTURE`, `SCHEMA_NOT_MIGRATED`, `MIGRATION_FAILED` (or the refusal's code), `VERIFY_FAILED`, `BACKUP_FAILED`
 */
export async function migrateOnOpen(db: SpineDb, options: MigrateOnOpenOptions): Promise<SafetyBackup | null> {
  const { config } = options;
  const migrator = new Migrator(db, migratorOptionsFromConfig(config, options.sources));
  const status = await migrator.status();
  const future = status.entries.filter((e) => e.state === 'future').map((e) => e.id);
  if (future.length > 0) {
    throw new SpineError(ErrorCode.MIGRATION_FUTURE, `${db.location} is newer than this code: it holds migrations this build does not know (${future.join(', ')}).`, {
      hint: 'Run the newer version, or restore a backup taken before those migrations.',
    });
  }
  const pending = status.entries.filter((e) => e.state === 'pending' || e.state === 'out-of-order').map((e) => e.id);
  if (pending.length === 0) return null;
  if (!config.database.schema.auto_migrate) {
    throw new SpineError(ErrorCode.SCHEMA_NOT_MIGRATED, `${db.location} needs ${pending.length} migration(s): ${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}.`, {
      hint: 'Run `spine db migrate`, or set database.schema.auto_migrate: true to migrate on open.',
    });
  }
  let backup: SafetyBackup | null = null;
  const result = await migrator.migrate({
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    beforeApply: async (migrations) => {
      if (!config.database.migration.create_backup) return;
      const directory = backupDirectory(config, db.location);
      backup = await safetyBackup(db, { directory, retentionDays: config.database.backup.retention_days, maxBackups: config.database.backup.max_backups }, `pre-migrate-${migrations.at(-1)?.id ?? 'head'}`);
    },
  });
  if (result.status === 'refused') throw new SpineError(result.code, result.message, { hint: result.hint });
  if (result.status === 'failed') {
    throw new SpineError(result.failure.code, `${result.failure.migrationId} failed and was rolled back: ${result.failure.message}`, {
      hint: 'Fix the migration, or restore the safety backup with `spine db restore`.',
    });
  }
  if (config.database.migration.verify_after) {
    const verification = await migrator.verify();
    if (verification.status === 'failed') {
      const problems = verification.checks.filter((c) => c.status === 'failed').flatMap((c) => c.problems);
      throw new SpineError(ErrorCode.VERIFY_FAILED, `${db.location} failed verification after migrating: ${problems.slice(0, 5).join('; ')}.`, {
        hint: 'Restore the safety backup with `spine db restore`, then investigate with `spine db verify`.',
      });
    }
  }
  return backup;
}
