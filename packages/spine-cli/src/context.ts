import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, Migrator, SpineError, coreMigrationSource, loadConfig, openSpineDb, resolveDatabaseTarget } from '@market-spine/core';
import type { LoadedConfig, MigrationSource, SpineDb, Tier } from '@market-spine/core';
import { finraMigrationSource } from '@market-spine/domains-finra';
import type { FinraTables } from '@market-spine/domains-finra';
import type { CliIo } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
}

/** The migration sources of every installed package, in any order (the engine orders them). */
export function migrationSources(): MigrationSource[] {
  return [coreMigrationSource(), finraMigrationSource()];
}

/** The configuration and database a command works on. */
export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly target: string;
  readonly tier: Tier;
}

/**
 * Resolves config and database: `--config` (else ./spine.config.yaml if
 * present), then `--db`, `SPINE_DB`, the config's `database.path`, `./spine.db`.
 */
export function commandContext(options: GlobalOptions, io: CliIo): CommandContext {
  const loaded = loadConfig(options.config, io.cwd);
  const target = resolveDatabaseTarget({ ...(options.db === undefined ? {} : { db: options.db }), env: io.env, config: loaded.config });
  const isPath = target !== ':memory:' && !target.includes('://');
  return { loaded, target: isPath ? resolve(io.cwd, target.replace(/^sqlite:/, '')) : target, tier: loaded.config.database.tier };
}

/**
 * Opens the database for a command. Read commands open it read-only and
 * require it to exist; every command requires its schema to be fully
 * migrated for the configured tier, and refuses a database newer than
 * this build.
 *
 * @throws SpineError `DB_OPEN_FAILED`, `SCHEMA_NOT_MIGRATED`, `MIGRATION_FUTURE`
 */
export async function openForCommand(context: CommandContext, mode: 'read' | 'write'): Promise<SpineDb<FinraTables>> {
  if (mode === 'read' && context.target !== ':memory:' && !existsSync(context.target)) {
    throw new SpineError(ErrorCode.DB_OPEN_FAILED, `No database at ${context.target}.`, {
      hint: 'Create it with `spine db migrate` (and load data with `spine finra run <files>`), or point --db / SPINE_DB at an existing one.',
    });
  }
  const db = await openSpineDb<FinraTables>({ target: context.target, readonly: mode === 'read' });
  try {
    const status = await new Migrator(db, { sources: migrationSources(), tier: context.tier }).status();
    if (status.counts.future > 0) {
      const ids = status.entries.filter((e) => e.state === 'future').map((e) => e.id);
      throw new SpineError(ErrorCode.MIGRATION_FUTURE, `${context.target} was migrated by a newer version of Market Spine (unknown migrations: ${ids.join(', ')}).`, {
        hint: 'Upgrade Market Spine, or restore a backup taken before those migrations.',
      });
    }
    const missing = status.entries.filter((e) => e.state !== 'applied').map((e) => `${e.id} (${e.state})`);
    if (missing.length > 0) {
      throw new SpineError(ErrorCode.SCHEMA_NOT_MIGRATED, `${context.target} is not migrated: ${missing.length} migration(s) not applied, e.g. ${missing.slice(0, 3).join(', ')}.`, {
        hint: `Run \`spine db migrate --db ${context.target}\` first; \`spine db status\` lists them.`,
      });
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
