import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCode, SpineError, errorMessage } from './errors.js';
import { TIERS } from './migrations/tiers.js';
import type { Tier } from './migrations/tiers.js';

/** The file looked for in the working directory when no `--config` is given. */
export const DEFAULT_CONFIG_FILE = 'spine.config.yaml';
/** The database used when neither `--db`, `SPINE_DB` nor the config names one. */
export const DEFAULT_DB_PATH = './spine.db';

/**
 * `spine.config.yaml`, in the shape of seed 004's `config/database.yaml`
 * (`database:` at the top). Unknown keys are errors, so a typo is not
 * silently ignored — except boolean keys directly under `database`, which
 * are optional features (seed 004's `track_unrealized_pnl`); the migrator
 * checks that some migration declares each of them (`-- spine:feature`).
 */
const KNOWN_DATABASE_KEYS: ReadonlySet<string> = new Set(['path', 'url', 'tier', 'schema', 'backup', 'migration']);

export const SpineConfigSchema = z
  .object({
    database: z
      .object({
        /** SQLite file path (relative paths are relative to the config file). */
        path: z.string().min(1).optional(),
        /** Database URL (`postgres://…`); wins over `path` when both are given. */
        url: z.string().min(1).optional(),
        /** Highest tier of migrations to apply (seed 003). */
        tier: z.enum(TIERS).default('basic'),
        schema: z
          .object({
            /** Seed 004's informational target version; the ledger, not this number, says what is applied. */
            current_version: z.number().int().positive().optional(),
            /** Library code that opens with `migrateOnOpen` applies pending migrations (else it refuses to open). */
            auto_migrate: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
        backup: z
          .object({
            /** Where backups go (relative to the config file); default `backups/` beside the database. */
            directory: z.string().min(1).optional(),
            /** Backups older than this are deleted (the newest is always kept). */
            retention_days: z.number().int().positive().default(30),
            /** At most this many backups per database are kept. */
            max_backups: z.number().int().positive().default(10),
          })
          .strict()
          .prefault({}),
        migration: z
          .object({
            /** Ask before changing the schema: a prompt on a terminal, `--yes` otherwise. */
            require_confirmation: z.boolean().default(false),
            /** Back up a file database before applying or rolling back anything. */
            create_backup: z.boolean().default(true),
            /** Run `verify` after `migrate`. */
            verify_after: z.boolean().default(true),
            /** How long to wait for another process's migration, in seconds. */
            lock_timeout_seconds: z.number().positive().default(60),
          })
          .strict()
          .prefault({}),
      })
      .catchall(z.unknown())
      .superRefine((database, ctx) => {
        for (const [key, value] of Object.entries(database)) {
          if (!KNOWN_DATABASE_KEYS.has(key) && typeof value !== 'boolean') {
            ctx.addIssue({ code: 'custom', path: [key], message: 'unknown key (feature flags under database are true or false)' });
          }
        }
      })
      .prefault({}),
  })
  .strict();

/** A validated configuration. */
export type SpineConfig = z.infer<typeof SpineConfigSchema>;

/** A configuration with where it came from. */
export interface LoadedConfig {
  readonly config: SpineConfig;
  /** Absolute path of the file read, or null when defaults were used. */
  readonly file: string | null;
}

/**
 * Reads and validates a config file. Without `path`, reads
 * `./spine.config.yaml` when it exists and otherwise returns the defaults.
 *
 * @throws SpineError `CONFIG_INVALID` naming the file and each offending key
 */
export function loadConfig(path?: string, cwd: string = process.cwd()): LoadedConfig {
  const file = path === undefined ? resolve(cwd, DEFAULT_CONFIG_FILE) : resolve(cwd, path);
  if (!existsSync(file)) {
    if (path === undefined) return { config: SpineConfigSchema.parse({}), file: null };
    throw new SpineError(ErrorCode.CONFIG_INVALID, `Config file ${file} does not exist.`, { hint: 'Check the --config path.' });
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new SpineError(ErrorCode.CONFIG_INVALID, `Config file ${file} is not valid YAML: ${errorMessage(error)}`, {
      hint: 'Fix the YAML syntax at the position shown.',
    });
  }
  const parsed = SpineConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new SpineError(ErrorCode.CONFIG_INVALID, `Config file ${file} is invalid: ${problems.join('; ')}.`, {
      hint: `Keys: database.{path, url, tier (${TIERS.join(' | ')}), schema.auto_migrate, backup.{directory, retention_days, max_backups}, migration.{require_confirmation, create_backup, verify_after, lock_timeout_seconds}}, and feature flags (true/false) under database.`,
      details: { file, problems },
    });
  }
  const config = parsed.data;
  const base = resolve(file, '..');
  if (config.database.path !== undefined && config.database.path !== ':memory:') config.database.path = resolve(base, config.database.path);
  if (config.database.backup.directory !== undefined) config.database.backup.directory = resolve(base, config.database.backup.directory);
  return { config, file };
}

/**
 * The database to use: `--db`, else `SPINE_DB`, else the config's
 * `database.url` or `database.path`, else `./spine.db`.
 */
export function resolveDatabaseTarget(options: { db?: string; env?: NodeJS.ProcessEnv; config: SpineConfig }): string {
  const env = options.env ?? process.env;
  return options.db ?? (env.SPINE_DB || undefined) ?? options.config.database.url ?? options.config.database.path ?? DEFAULT_DB_PATH;
}

/** The configured tier. */
export function configuredTier(config: SpineConfig): Tier {
  return config.database.tier;
}

/** The optional features of a config: the boolean keys directly under `database`. */
export function configuredFeatures(config: SpineConfig): Record<string, boolean> {
  return Object.fromEntries(Object.entries(config.database).filter(([key, value]) => !KNOWN_DATABASE_KEYS.has(key) && typeof value === 'boolean')) as Record<string, boolean>;
}

/**
 * Where backups of a database go: the config's `backup.directory`, else
 * `backups/` beside a database file, or in the working directory for a
 * server URL (`postgres://…`), which has no folder of its own.
 */
export function backupDirectory(config: SpineConfig, databaseTarget: string): string {
  if (config.database.backup.directory !== undefined) return config.database.backup.directory;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(databaseTarget) ? resolve('backups') : resolve(databaseTarget, '..', 'backups');
}
