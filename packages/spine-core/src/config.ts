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
 * silently ignored.
 */
export const SpineConfigSchema = z
  .object({
    database: z
      .object({
        /** SQLite file path (relative paths are relative to the config file). */
        path: z.string().min(1).optional(),
        /** Highest tier of migrations to apply (seed 003). */
        tier: z.enum(TIERS).default('basic'),
      })
      .strict()
      .default({ tier: 'basic' }),
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
      hint: `Allowed keys: database.path, database.tier (${TIERS.join(' | ')}).`,
      details: { file, problems },
    });
  }
  const config = parsed.data;
  if (config.database.path !== undefined && config.database.path !== ':memory:') {
    config.database.path = resolve(file, '..', config.database.path);
  }
  return { config, file };
}

/**
 * The database to use: `--db`, else `SPINE_DB`, else the config's
 * `database.path`, else `./spine.db`.
 */
export function resolveDatabaseTarget(options: { db?: string; env?: NodeJS.ProcessEnv; config: SpineConfig }): string {
  const env = options.env ?? process.env;
  return options.db ?? (env.SPINE_DB || undefined) ?? options.config.database.path ?? DEFAULT_DB_PATH;
}

/** The configured tier. */
export function configuredTier(config: SpineConfig): Tier {
  return config.database.tier;
}
