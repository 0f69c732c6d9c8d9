import type { DialectName } from '../dialect/types.js';
import type { LedgerRow } from '../migrations/ledger.js';
import type { Tier } from '../migrations/tiers.js';
import { bundleMigrationIds, findBundleFolders, readBundleManifest } from './bundle-manifest.js';

/** A bundle of a bundles folder and how much of it a database has. */
export interface BundleState {
  readonly bundle: string;
  /** `YYYY-Qn`. */
  readonly quarter: string;
  /** ISO-8601 UTC instant of the build. */
  readonly createdAt: string;
  readonly tier: Tier;
  readonly directory: string;
  /** The bundle's migrations for the database's dialect. */
  readonly migrations: number;
  /** How many of them the database's ledger holds (applied by the bundle or otherwise). */
  readonly applied: number;
  /** How many ledger rows name this bundle in `_migrations.bundle` (applied from it). */
  readonly fromBundle: number;
  /** `applied`: every migration is in the ledger; `partial`: some are; `not-applied`: none is. */
  readonly state: 'applied' | 'partial' | 'not-applied';
}

/**
 * The bundles in `bundlesDirectory`, oldest first, with how much of each the
 * database whose ledger is `ledger` holds for `dialect`.
 *
 * @param ledger the database's `_migrations` rows (empty for a new database)
 * @throws SpineError `BUNDLE_INVALID` for a bundle folder whose manifest cannot be read
 */
export function bundleStates(bundlesDirectory: string, dialect: DialectName, ledger: readonly LedgerRow[]): BundleState[] {
  const applied = new Set(ledger.map((row) => row.migration_id));
  return findBundleFolders(bundlesDirectory).map((folder) => {
    const manifest = readBundleManifest(folder.directory);
    const ids = bundleMigrationIds(manifest, dialect);
    const present = ids.filter((id) => applied.has(id)).length;
    return {
      bundle: manifest.bundle,
      quarter: manifest.quarter,
      createdAt: manifest.created_at,
      tier: manifest.tier,
      directory: folder.directory,
      migrations: ids.length,
      applied: present,
      fromBundle: ledger.filter((row) => row.bundle === manifest.bundle).length,
      state: present === 0 ? 'not-applied' : present === ids.length ? 'applied' : 'partial',
    };
  });
}
