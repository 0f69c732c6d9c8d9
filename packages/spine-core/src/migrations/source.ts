import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, SpineError } from '../errors.js';

/**
 * A package that ships SQL migrations in `<directory>/<tier>/<NNNN>_<slug>.sql`
 * (DESIGN.md "Migrations are SQL files").
 */
export interface MigrationSource {
  /** npm package name, recorded in `_migrations.package` (e.g. `@market-spine/core`). */
  readonly packageName: string;
  /** Short name, the first segment of migration ids (e.g. `core` in `core/basic/0001_core_executions`). */
  readonly name: string;
  /** The package's version, recorded in `_migrations.package_version`. */
  readonly version: string;
  /** Absolute path of the package's `migrations/` folder. */
  readonly directory: string;
  /** Short names of the sources whose migrations must be applied first. */
  readonly dependsOn: readonly string[];
}

/**
 * Builds the {@link MigrationSource} of a package from its own module URL:
 * reads `package.json` and points at `migrations/`, both one level above the
 * module (true for `src/` in the workspace and for `dist/` once installed).
 *
 * @param moduleUrl `import.meta.url` of a module in the package's `src/` or `dist/`
 * @param name short name used in migration ids
 * @param dependsOn short names of sources that must migrate first
 * @throws SpineError `MIGRATION_BAD_FILE` when package.json cannot be read
 */
export function packageMigrationSource(moduleUrl: string, name: string, dependsOn: readonly string[] = []): MigrationSource {
  const packageJsonPath = fileURLToPath(new URL('../package.json', moduleUrl));
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { name?: unknown; version?: unknown };
  } catch (error) {
    throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Cannot read ${packageJsonPath} for migration source ${name}.`, { cause: error });
  }
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
    throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `${packageJsonPath} has no name or version.`);
  }
  return {
    packageName: manifest.name,
    name,
    version: manifest.version,
    directory: fileURLToPath(new URL('../migrations/', moduleUrl)),
    dependsOn,
  };
}

/**
 * Orders sources so that every source comes after the ones it depends on;
 * independent sources keep the order given.
 *
 * @throws SpineError `MIGRATION_BAD_FILE` on a duplicate name, an unknown dependency or a cycle
 */
export function orderSources(sources: readonly MigrationSource[]): MigrationSource[] {
  const byName = new Map<string, MigrationSource>();
  for (const source of sources) {
    if (byName.has(source.name)) {
      throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Two migration sources are named ${JSON.stringify(source.name)}.`);
    }
    byName.set(source.name, source);
  }
  const ordered: MigrationSource[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (source: MigrationSource, path: readonly string[]): void => {
    const seen = state.get(source.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Migration sources depend on each other in a cycle: ${[...path, source.name].join(' -> ')}.`);
    }
    state.set(source.name, 'visiting');
    for (const dep of source.dependsOn) {
      const target = byName.get(dep);
      if (!target) {
        throw new SpineError(ErrorCode.MIGRATION_BAD_FILE, `Migration source ${source.name} depends on ${dep}, which is not registered.`, {
          hint: `Pass the ${dep} package's migration source as well.`,
        });
      }
      visit(target, [...path, source.name]);
    }
    state.set(source.name, 'done');
    ordered.push(source);
  };
  for (const source of sources) visit(source, []);
  return ordered;
}
