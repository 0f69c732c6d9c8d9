import type { DialectName } from '../dialect/types.js';
import type { MigratorOptions } from '../migrations/migrator.js';
import type { BundleManifest } from './bundle-manifest.js';
import { bundleMigrationIds } from './bundle-manifest.js';

/**
 * Migrator options that apply exactly a bundle's migrations on `dialect`, as
 * its SQL file would: `only` its ids (in apply order), at its tier, `bundle`
 * recorded in each ledger row, and the package versions the bundle records —
 * so `spine db migrate --bundle` and the bundle's SQL file leave the same
 * ledger. Pass `bundleGuard(manifest, dialect)` as `migrate`'s `guard`.
 * Verify the bundle first (`verifyBundle`): its checksums must be the sources'.
 *
 * @param base the options of the database's configuration (sources, features, actor, lock timeout)
 */
export function bundleMigratorOptions(manifest: BundleManifest, dialect: DialectName, base: MigratorOptions): MigratorOptions {
  const versions = new Map(manifest.packages.map((p) => [p.package, p.version]));
  return {
    ...base,
    sources: base.sources.map((source) => ({ ...source, version: versions.get(source.packageName) ?? source.version })),
    tier: manifest.tier,
    only: bundleMigrationIds(manifest, dialect),
    bundle: manifest.bundle,
  };
}
