import { basename } from 'node:path';
import type { DialectName } from '../dialect/types.js';
import { ErrorCode, SpineError } from '../errors.js';
import { discoverMigrations } from '../migrations/discovery.js';
import type { LoadedMigration, MigrationDefinition } from '../migrations/discovery.js';
import { selectMigrations } from '../migrations/migrator.js';
import type { MigrationSource } from '../migrations/source.js';
import type { Tier } from '../migrations/tiers.js';
import { BUNDLE_DIALECTS } from './bundle-manifest.js';

/** A migration a bundle can hold, with its script for each dialect that has one. */
export interface BundleCandidate {
  readonly definition: MigrationDefinition;
  /** The script the engine would run on each dialect; a dialect without one (a PostgreSQL-only migration) is absent. */
  readonly scripts: Readonly<Partial<Record<DialectName, LoadedMigration>>>;
}

/**
 * Every migration the sources ship that a bundle of `tier` can hold, in apply
 * order: in the tiers up to `tier`, without optional features (`-- spine:feature`
 * migrations are never bundled), each with the script the engine selects per
 * dialect (its variant, else the portable file; DB2 needs its `.db2.sql`).
 *
 * @throws SpineError `MIGRATION_BAD_FILE` for a migration whose DB2 form would be the portable (SQLite) script,
 *   as `spine db plan --dialect db2` refuses it; `UNSUPPORTED` for a SQLite script with `-- spine:rebuild`
 *   (the 12-step table rebuild is the engine's, a plain sqlite3 script cannot express it)
 */
export function collectBundleCandidates(sources: readonly MigrationSource[], tier: Tier): BundleCandidate[] {
  const definitions = discoverMigrations(sources);
  const selected = new Map(BUNDLE_DIALECTS.map((dialect) => [dialect, new Map(selectMigrations(definitions, dialect, tier, {}).map((m) => [m.id, m]))]));
  const candidates: BundleCandidate[] = [];
  for (const definition of definitions) {
    const scripts: Partial<Record<DialectName, LoadedMigration>> = {};
    for (const dialect of BUNDLE_DIALECTS) {
      const script = selected.get(dialect)?.get(definition.id);
      if (script) scripts[dialect] = script;
    }
    if (Object.keys(scripts).length === 0) continue;
    if (scripts.db2 && !definition.up.has('db2')) {
      throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Migration ${definition.id} has no DB2 script (${basename(scripts.db2.path)} is the portable SQLite script), so it cannot go into a bundle's db2.sql.`, {
        hint: `Add ${definition.tier}/${String(definition.number).padStart(4, '0')}_${definition.slug}.db2.sql to ${definition.source.packageName}.`,
      });
    }
    if (scripts.sqlite?.directives.rebuild) {
      throw new SpineError(ErrorCode.UNSUPPORTED, `Migration ${definition.id} rebuilds table ${scripts.sqlite.directives.rebuild} (-- spine:rebuild), which a bundle's sqlite.sql cannot express.`, {
        hint: 'Apply it with `spine db migrate`, which runs the 12-step rebuild, and bundle the migrations after it in the next quarter.',
      });
    }
    candidates.push({ definition, scripts });
  }
  return candidates;
}
