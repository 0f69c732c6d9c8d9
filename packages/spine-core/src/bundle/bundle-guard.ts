import type { DialectName } from '../dialect/types.js';
import { ErrorCode } from '../errors.js';
import type { LedgerRow } from '../migrations/ledger.js';
import type { Refusal } from '../migrations/migrator.js';
import type { BundleManifest } from './bundle-manifest.js';
import { bundleMigrationIds } from './bundle-manifest.js';

/**
 * The message of every refusal of a bundle that is already applied — the
 * engine's and the SQL scripts' guards say the same words (kept under 70
 * bytes: DB2's `RAISE_ERROR` truncates longer texts).
 */
export function alreadyAppliedMessage(bundle: string): string {
  return `bundle ${bundle} is already applied`;
}

/** The message of every refusal of a bundle whose previous bundle is not applied (same words everywhere, under 70 bytes). */
export function previousMissingMessage(bundle: string, previous: string): string {
  return `bundle ${bundle} needs bundle ${previous}, which is not applied`;
}

/** What to do about an already-applied bundle. */
export function alreadyAppliedHint(): string {
  return 'Nothing to do: its migrations are in _migrations (`spine bundle list --db <db>` shows which bundles a database has). Apply the next bundle instead.';
}

/** What to do about a missing previous bundle. */
export function previousMissingHint(previous: string): string {
  return `Apply bundle ${previous} first (migrations/${previous}), then this one.`;
}

/** The first ids of a list, for a message. */
function some(ids: readonly string[]): string {
  return `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;
}

/**
 * The bundle guard the engine runs before applying a bundle, the same check
 * the SQL files' guards make: refuse when any of the bundle's migrations for
 * `dialect` is in the ledger (already applied), or when any migration of the
 * previous bundle (`requires`) is not.
 *
 * @param ledgerIds the `migration_id`s of the database's `_migrations` (empty when there is no ledger)
 * @returns the refusal, or null when the bundle may be applied
 */
export function bundleGuardRefusal(manifest: BundleManifest, dialect: DialectName, ledgerIds: ReadonlySet<string>): Refusal | null {
  const present = bundleMigrationIds(manifest, dialect).filter((id) => ledgerIds.has(id));
  if (present.length > 0) {
    return {
      status: 'refused',
      code: ErrorCode.BUNDLE_ALREADY_APPLIED,
      message: `${alreadyAppliedMessage(manifest.bundle)}: ${present.length} of its migrations are in _migrations (${some(present)}).`,
      hint: alreadyAppliedHint(),
      migrations: present,
    };
  }
  const missing = manifest.requires[dialect].filter((id) => !ledgerIds.has(id));
  if (manifest.previous_bundle !== null && missing.length > 0) {
    return {
      status: 'refused',
      code: ErrorCode.BUNDLE_PREVIOUS_MISSING,
      message: `${previousMissingMessage(manifest.bundle, manifest.previous_bundle)}: ${missing.length} of its migrations are not in _migrations (${some(missing)}).`,
      hint: previousMissingHint(manifest.previous_bundle),
      migrations: missing,
    };
  }
  return null;
}

/**
 * The `guard` of `Migrator.migrate` for a bundle: {@link bundleGuardRefusal}
 * on the ledger the engine reads under its migration lock, before it writes
 * anything (not even the ledger table).
 */
export function bundleGuard(manifest: BundleManifest, dialect: DialectName): (ledger: readonly LedgerRow[]) => Refusal | null {
  return (ledger) => bundleGuardRefusal(manifest, dialect, new Set(ledger.map((row) => row.migration_id)));
}
