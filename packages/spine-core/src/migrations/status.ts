import type { DialectName } from '../dialect/types.js';
import type { LoadedMigration, MigrationDefinition } from './discovery.js';
import type { LedgerKind, LedgerRow } from './ledger.js';
import type { Tier } from './tiers.js';

/**
 * State of a migration, as Flyway's `info` reports it:
 * - `applied`: in the ledger with the checksum of the script on disk;
 * - `pending`: selected by the tier (and features), not applied yet;
 * - `changed`: applied, but the script on disk no longer has the applied checksum;
 * - `out-of-order`: pending, numbered below an applied migration of the same package and tier;
 * - `missing`: applied, but its file is gone from a package this build has
 *   (numbered below the package's newest migration of that tier);
 * - `future`: applied, unknown to this build (a newer version, or a package not
 *   installed): the database is newer than the code.
 */
export type MigrationState = 'applied' | 'pending' | 'changed' | 'out-of-order' | 'missing' | 'future';

/** One line of a status report. */
export interface MigrationStatusEntry {
  readonly id: string;
  /** npm package name. */
  readonly package: string;
  /** Version applied (for applied rows) or shipped (for pending rows). */
  readonly version: string;
  readonly tier: string;
  readonly description: string;
  readonly state: MigrationState;
  /** `baseline` when recorded by `baseline` rather than applied; null when not applied. */
  readonly kind: LedgerKind | null;
  /** ISO-8601 UTC time of application, null when not applied. */
  readonly appliedAt: string | null;
  /** Milliseconds the migration took, null when not applied. */
  readonly executionTimeMs: number | null;
  /** Checksum of the script on disk, null when there is none. */
  readonly checksum: string | null;
  /** Checksum recorded in the ledger, null when not applied. */
  readonly appliedChecksum: string | null;
}

/** What `status` found: one entry per migration, in apply order, then the applied ones this build does not select. */
export interface MigrationStatusReport {
  readonly dialect: DialectName;
  readonly location: string;
  readonly tier: Tier;
  readonly entries: readonly MigrationStatusEntry[];
  readonly counts: Readonly<Record<MigrationState, number>>;
}

/** The parts of a migration id `<source>/<tier>/<NNNN>_<slug>`, or undefined for another shape. */
export function parseMigrationId(id: string): { source: string; tier: string; number: number } | undefined {
  const match = /^([^/]+)\/([^/]+)\/(\d{4})_[a-z0-9_]+$/.exec(id);
  return match ? { source: match[1] as string, tier: match[2] as string, number: Number(match[3]) } : undefined;
}

/**
 * Compares the ledger with the migrations on disk.
 *
 * @param selected the migrations this configuration applies (tier, features, dialect)
 * @param definitions every migration the sources ship (to tell `missing` from `future`)
 */
export function computeStatus(input: {
  readonly dialect: DialectName;
  readonly location: string;
  readonly tier: Tier;
  readonly ledger: readonly LedgerRow[];
  readonly selected: readonly LoadedMigration[];
  readonly definitions: readonly MigrationDefinition[];
}): MigrationStatusReport {
  const applied = new Map(input.ledger.map((row) => [row.migration_id, row]));
  const known = new Set(input.definitions.map((d) => d.id));
  const groupKey = (source: string, tier: string) => `${source}/${tier}`;
  const highestApplied = new Map<string, number>();
  const highestKnown = new Map<string, number>();
  for (const d of input.definitions) {
    const key = groupKey(d.source.name, d.tier);
    highestKnown.set(key, Math.max(highestKnown.get(key) ?? -1, d.number));
  }
  for (const m of input.selected) {
    if (!applied.has(m.id)) continue;
    const key = groupKey(m.definition.source.name, m.definition.tier);
    highestApplied.set(key, Math.max(highestApplied.get(key) ?? -1, m.definition.number));
  }

  const entries: MigrationStatusEntry[] = [];
  const listed = new Set<string>();
  for (const m of input.selected) {
    const row = applied.get(m.id);
    let state: MigrationState;
    if (row) state = row.checksum === m.checksum ? 'applied' : 'changed';
    else state = m.definition.number < (highestApplied.get(groupKey(m.definition.source.name, m.definition.tier)) ?? -1) ? 'out-of-order' : 'pending';
    listed.add(m.id);
    entries.push({
      id: m.id,
      package: m.definition.source.packageName,
      version: row?.package_version ?? m.definition.source.version,
      tier: m.definition.tier,
      description: m.description,
      state,
      kind: row?.kind ?? null,
      appliedAt: row?.applied_at ?? null,
      executionTimeMs: row?.execution_time_ms ?? null,
      checksum: m.checksum,
      appliedChecksum: row?.checksum ?? null,
    });
  }
  for (const row of input.ledger) {
    if (listed.has(row.migration_id)) continue;
    let state: MigrationState = 'applied';
    if (!known.has(row.migration_id)) {
      const parts = parseMigrationId(row.migration_id);
      const newest = parts ? highestKnown.get(groupKey(parts.source, parts.tier)) : undefined;
      state = parts !== undefined && newest !== undefined && parts.number < newest ? 'missing' : 'future';
    }
    entries.push({
      id: row.migration_id,
      package: row.package,
      version: row.package_version,
      tier: row.tier,
      description: row.description,
      state,
      kind: row.kind,
      appliedAt: row.applied_at,
      executionTimeMs: row.execution_time_ms,
      checksum: null,
      appliedChecksum: row.checksum,
    });
  }
  const counts: Record<MigrationState, number> = { applied: 0, pending: 0, changed: 0, 'out-of-order': 0, missing: 0, future: 0 };
  for (const e of entries) counts[e.state] += 1;
  return { dialect: input.dialect, location: input.location, tier: input.tier, entries, counts };
}
