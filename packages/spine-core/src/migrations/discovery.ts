import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '../dialect/types.js';
import { ErrorCode, SpineError } from '../errors.js';
import { IDENTIFIER_PATTERN } from '../identifiers.js';
import { scriptChecksum } from './checksum.js';
import type { MigrationSource } from './source.js';
import { orderSources } from './source.js';
import { isTier, tierRank } from './tiers.js';
import type { Tier } from './tiers.js';

/** `<NNNN>_<slug>[.down][.<dialect>].sql` (DESIGN.md "Migrations are SQL files"). */
const FILE_PATTERN = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)(\.down)?(?:\.(sqlite|postgres|db2))?\.sql$/;

/** A migration known from the files of a package, before any dialect is chosen. */
export interface MigrationDefinition {
  /** `<source>/<tier>/<NNNN>_<slug>`, the ledger's primary key. */
  readonly id: string;
  readonly source: MigrationSource;
  readonly tier: Tier;
  /** The `NNNN` of the file name. */
  readonly number: number;
  readonly slug: string;
  /** Up scripts: `portable` is `<NNNN>_<slug>.sql`; a dialect key is that dialect's variant. */
  readonly up: ReadonlyMap<DialectName | 'portable', string>;
  /** Down scripts, keyed like {@link MigrationDefinition.up}. */
  readonly down: ReadonlyMap<DialectName | 'portable', string>;
}

/** Header directives of a migration script (`-- spine:<directive>` lines before the first statement). */
export interface MigrationDirectives {
  /** `-- spine:no-transaction`: run outside a transaction (e.g. `CREATE INDEX CONCURRENTLY`). */
  readonly noTransaction: boolean;
  /** `-- spine:requires <id>`: migrations that must be applied first. */
  readonly requires: readonly string[];
  /** `-- spine:description <text>`; otherwise the slug in words. */
  readonly description: string | undefined;
  /** `-- spine:feature <name>`: applied only when these optional features are enabled in the config. */
  readonly features: readonly string[];
  /**
   * `-- spine:rebuild <table>`: the script's `CREATE TABLE <table>` is the table's
   * new definition, applied with SQLite's 12-step rebuild; the rest runs after it.
   */
  readonly rebuild: string | null;
}

/** A migration's script for one dialect, read from disk and checksummed. */
export interface LoadedMigration {
  readonly definition: MigrationDefinition;
  readonly id: string;
  readonly dialect: DialectName;
  /** Absolute path of the script used for this dialect (variant or portable). */
  readonly path: string;
  readonly script: string;
  /** sha256 of the normalised script. */
  readonly checksum: string;
  /** The down script for this dialect, when the package ships one. */
  readonly down: { readonly path: string; readonly script: string; readonly checksum: string; readonly directives: MigrationDirectives } | null;
  /** `down.checksum`, recorded in the ledger so a rollback can tell an edited down script. */
  readonly downChecksum: string | null;
  readonly description: string;
  readonly directives: MigrationDirectives;
}

function badFile(message: string, hint?: string): SpineError {
  return new SpineError(ErrorCode.MIGRATION_BAD_FILE, message, {
    hint: hint ?? 'Migration files are named <tier>/<NNNN>_<slug>[.down][.sqlite|.postgres|.db2].sql, slug in lower_snake_case.',
  });
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Reads the migrations one source ships, in apply order (tier, then number).
 *
 * @throws SpineError `MIGRATION_BAD_FILE` naming the file for a bad name, an unknown tier folder,
 *   two slugs with one number, or a down script without an up script
 */
export function discoverSourceMigrations(source: MigrationSource): MigrationDefinition[] {
  const definitions: MigrationDefinition[] = [];
  for (const entry of listDirectory(source.directory)) {
    const entryPath = join(source.directory, entry);
    if (!statSync(entryPath).isDirectory()) continue;
    if (!isTier(entry)) {
      throw badFile(`Unknown tier folder ${entryPath}.`, 'Tier folders are basic, intermediate and advanced; dialect variants sit beside the portable file as <NNNN>_<slug>.<dialect>.sql.');
    }
    const byNumber = new Map<number, { slug: string; up: Map<DialectName | 'portable', string>; down: Map<DialectName | 'portable', string> }>();
    for (const file of listDirectory(entryPath)) {
      if (!file.endsWith('.sql')) continue;
      const match = FILE_PATTERN.exec(file);
      if (!match) throw badFile(`Bad migration file name ${join(entryPath, file)}.`);
      const [, digits, slug, down, dialect] = match as unknown as [string, string, string, string | undefined, DialectName | undefined];
      const number = Number(digits);
      let group = byNumber.get(number);
      if (!group) {
        group = { slug, up: new Map(), down: new Map() };
        byNumber.set(number, group);
      } else if (group.slug !== slug) {
        throw badFile(`Migration number ${digits} is used twice in ${entryPath}: ${group.slug} and ${slug}.`, 'Give each migration of a tier its own number.');
      }
      (down ? group.down : group.up).set(dialect ?? 'portable', join(entryPath, file));
    }
    for (const [number, group] of [...byNumber].sort((a, b) => a[0] - b[0])) {
      const name = `${String(number).padStart(4, '0')}_${group.slug}`;
      if (group.up.size === 0) {
        throw badFile(`Down script ${join(entryPath, name)}.down.sql has no up script.`, 'Add the up script or remove the down script.');
      }
      definitions.push({ id: `${source.name}/${entry}/${name}`, source, tier: entry, number, slug: group.slug, up: group.up, down: group.down });
    }
  }
  return definitions.sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.number - b.number);
}

/**
 * Every migration of every source in apply order: sources in dependency
 * order, then tier, then number (DESIGN.md "Order").
 */
export function discoverMigrations(sources: readonly MigrationSource[]): MigrationDefinition[] {
  return orderSources(sources).flatMap(discoverSourceMigrations);
}

const DIRECTIVE = /^--\s*spine:([a-z-]+)\s*(.*?)\s*$/;

/**
 * Reads the `-- spine:` directives from the comment lines that open a script.
 *
 * @throws SpineError `MIGRATION_BAD_FILE` on an unknown directive (a typo must not be ignored)
 */
export function parseDirectives(script: string, path: string): MigrationDirectives {
  let noTransaction = false;
  const requires: string[] = [];
  const features: string[] = [];
  let description: string | undefined;
  let rebuild: string | null = null;
  for (const rawLine of script.replace(/^\uFEFF/, '').split(/\r\n?|\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const match = DIRECTIVE.exec(line);
    if (!match) continue;
    const [, name, argument = ''] = match;
    if (name === 'no-transaction') noTransaction = true;
    else if (name === 'requires' && argument !== '') requires.push(...argument.split(/[\s,]+/));
    else if (name === 'description' && argument !== '') description = argument;
    else if (name === 'feature' && IDENTIFIER_PATTERN.test(argument)) features.push(argument);
    else if (name === 'rebuild' && IDENTIFIER_PATTERN.test(argument)) rebuild = argument;
    else {
      throw badFile(
        `Unknown or incomplete directive "${line}" in ${path}.`,
        'Known directives: -- spine:no-transaction, -- spine:requires <id>, -- spine:description <text>, -- spine:feature <name>, -- spine:rebuild <table>.',
      );
    }
  }
  if (rebuild !== null && noTransaction) {
    throw badFile(`${path} combines -- spine:rebuild with -- spine:no-transaction.`, 'A table rebuild runs in one transaction; remove one of the two directives.');
  }
  return { noTransaction, requires, description, features, rebuild };
}

function pickScript(scripts: ReadonlyMap<DialectName | 'portable', string>, dialect: DialectName): string | undefined {
  return scripts.get(dialect) ?? scripts.get('portable');
}

/**
 * Reads the script of `definition` that applies to `dialect` (its variant if
 * present, else the portable file), with checksum and directives.
 *
 * @returns undefined when the migration has neither a portable script nor one for this dialect
 */
export function loadMigration(definition: MigrationDefinition, dialect: DialectName): LoadedMigration | undefined {
  const path = pickScript(definition.up, dialect);
  if (path === undefined) return undefined;
  const script = readFileSync(path, 'utf8');
  const downPath = pickScript(definition.down, dialect);
  const directives = parseDirectives(script, path);
  let down: LoadedMigration['down'] = null;
  if (downPath !== undefined) {
    const downScript = readFileSync(downPath, 'utf8');
    down = { path: downPath, script: downScript, checksum: scriptChecksum(downScript), directives: parseDirectives(downScript, downPath) };
  }
  return {
    definition,
    id: definition.id,
    dialect,
    path,
    script,
    checksum: scriptChecksum(script),
    down,
    downChecksum: down?.checksum ?? null,
    description: directives.description ?? definition.slug.replace(/_/g, ' '),
    directives,
  };
}
