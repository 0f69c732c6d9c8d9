import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, Migrator, SpineError, coreMigrationSource, loadConfig, migratorOptionsFromConfig, openSpineDb, parseTier, readLedger, resolveDatabaseTarget } from '@market-spine/core';
import type { LoadedConfig, MigrationSource, MigratorOptions, SpineDb, Tier } from '@market-spine/core';
import type { Command } from 'commander';
import { finraMigrationSource } from '@market-spine/domains-finra';
import type { FinraTables } from '@market-spine/domains-finra';
import { riskMigrationSource } from '@market-spine/domains-risk';
import { colors, println } from './output.js';
import type { CliIo } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
}

/** The market-data database's packages (core and FINRA), in any order (the engine orders them). */
export function migrationSources(): MigrationSource[] {
  return [coreMigrationSource(), finraMigrationSource()];
}

/**
 * The packages a database holds, from its ledger: the risk manager's state
 * database (seeds 002/004) is a database of its own whose ledger names only
 * domains-risk; any other database — new ones included — is the market-data
 * database of core and FINRA.
 */
export async function migrationSourcesFor(db: SpineDb): Promise<MigrationSource[]> {
  const risk = riskMigrationSource();
  const packages = new Set((await readLedger(db)).map((row) => row.package));
  if (!packages.has(risk.packageName)) return migrationSources();
  return [risk, ...migrationSources().filter((source) => packages.has(source.packageName))];
}

/** The configuration and database a command works on. */
export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly target: string;
  readonly tier: Tier;
}

/**
 * Resolves config and database: `--config` (else ./spine.config.yaml if
 * present), then `--db`, `SPINE_DB`, the config's `database.url`/`path`, `./spine.db`.
 */
export function commandContext(options: GlobalOptions, io: CliIo): CommandContext {
  const loaded = loadConfig(options.config, io.cwd);
  const target = resolveDatabaseTarget({ ...(options.db === undefined ? {} : { db: options.db }), env: io.env, config: loaded.config });
  const isPath = target !== ':memory:' && !target.includes('://');
  return { loaded, target: isPath ? resolve(io.cwd, target.replace(/^sqlite:/, '')) : target, tier: loaded.config.database.tier };
}

/** True when the database exists (a URL is assumed to). */
export function databaseExists(context: CommandContext): boolean {
  return context.target === ':memory:' || context.target.includes('://') || existsSync(context.target);
}

/**
 * Migrator options for a command on `db`: the config's, for the packages the
 * database holds ({@link migrationSourcesFor}), with `--tier` /
 * `--allow-out-of-order` on top.
 */
export async function migratorOptions(context: CommandContext, db: SpineDb, overrides: { tier?: string; allowOutOfOrder?: boolean } = {}): Promise<MigratorOptions> {
  return {
    ...migratorOptionsFromConfig(context.loaded.config, await migrationSourcesFor(db)),
    ...(overrides.tier === undefined ? {} : { tier: parseTier(overrides.tier) }),
    allowOutOfOrder: overrides.allowOutOfOrder ?? false,
  };
}

/**
 * Opens the database for a command that reads or writes its data. Read
 * commands open it read-only and require it to exist. Both require the
 * schema to be migrated for the configured tier. A database newer than this
 * build (seed 002: "v1 daemon cannot read v2 database") is refused for
 * writing and only warned about for reading.
 *
 * @throws SpineError `DB_OPEN_FAILED`, `SCHEMA_NOT_MIGRATED`, `MIGRATION_FUTURE`
 */
export async function openForCommand(context: CommandContext, mode: 'read' | 'write', io: CliIo): Promise<SpineDb<FinraTables>> {
  if (mode === 'read' && !databaseExists(context)) {
    throw new SpineError(ErrorCode.DB_OPEN_FAILED, `No database at ${context.target}.`, {
      hint: 'Create it with `spine db migrate` (and load data with `spine finra run <files>`), or point --db / SPINE_DB at an existing one.',
    });
  }
  const db = await openSpineDb<FinraTables>({ target: context.target, readonly: mode === 'read' });
  try {
    const status = await new Migrator(db, await migratorOptions(context, db)).status();
    const future = status.entries.filter((e) => e.state === 'future').map((e) => e.id);
    if (future.length > 0) {
      const message = `${context.target} was migrated by a newer version of Market Spine (unknown migrations: ${future.join(', ')}).`;
      if (mode === 'write') {
        throw new SpineError(ErrorCode.MIGRATION_FUTURE, `${message} This build will not write to it.`, {
          hint: 'Upgrade Market Spine, or restore a backup taken before those migrations (`spine db backups`, `spine db restore`).',
        });
      }
      println(io.stderr, colors(io, 'stderr').yellow(`! ${message} Reading anyway; results may miss what the newer version added.`));
    }
    const missing = status.entries.filter((e) => e.state === 'pending' || e.state === 'out-of-order' || e.state === 'changed').map((e) => `${e.id} (${e.state})`);
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

/**
 * Opens the command's database with {@link openForCommand} (read-only for
 * `read`; the version guard and the migration check of every data command
 * apply), runs `fn`, and closes it.
 */
export async function withDatabase<T>(command: Command, io: CliIo, mode: 'read' | 'write', fn: (db: SpineDb<FinraTables>) => Promise<T>): Promise<T> {
  const db = await openForCommand(commandContext(command.optsWithGlobals<GlobalOptions>(), io), mode, io);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
