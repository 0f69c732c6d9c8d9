import { LEDGER_TABLE, LOG_TABLE } from '../migrations/ledger.js';
import { filterSnapshot } from './schema-snapshot.js';
import type { SchemaSnapshot } from './schema-snapshot.js';

/**
 * Name prefixes of analysts' scratch tables and experimental views (seed 000
 * "Experimental Calculations Strategy": "Prefix with `_scratch_` or `_exp_`").
 * They live only in the database they were made in: no migration creates
 * them, so the drift check ignores them and no bundle carries them.
 */
export const SCRATCH_PREFIXES = ['_scratch_', '_exp_'] as const;

/**
 * The table `spine ops scratch` records scratch objects in (who made them,
 * when, why). Created on first use; the engine's own bookkeeping, like the ledger.
 */
export const SCRATCH_REGISTRY_TABLE = '_spine_scratch_registry';

/** True for a scratch table or experimental view name (`_scratch_*`, `_exp_*`), case-insensitively. */
export function isScratchName(name: string): boolean {
  const lower = name.toLowerCase();
  return SCRATCH_PREFIXES.some((prefix) => lower.startsWith(prefix) && lower.length > prefix.length);
}

/**
 * True for objects that belong to a package's schema, the ones the drift
 * check compares. The single rule for what is not: the engine's own ledger,
 * log and scratch registry, SQLite's internal tables, and analysts' scratch
 * and experiment objects ({@link isScratchName}).
 */
export function isManagedObject(name: string): boolean {
  const lower = name.toLowerCase();
  return !(lower === LEDGER_TABLE || lower === LOG_TABLE || lower === SCRATCH_REGISTRY_TABLE || lower.startsWith('sqlite_') || isScratchName(lower));
}

/**
 * The part of a schema snapshot that packages own, for the drift check:
 * {@link isManagedObject} tables and views, and the indexes and triggers
 * that are managed by their own name and by their table's (an index an
 * analyst puts on a scratch table is scratch too).
 *
 * @returns a new snapshot; `snapshot` is not modified
 */
export function managedSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  const tableOf = (name: string, type: 'table' | 'index' | 'view' | 'trigger'): string | undefined =>
    type === 'index' ? snapshot.indexes[name]?.table : type === 'trigger' ? snapshot.triggers[name]?.table : undefined;
  return filterSnapshot(snapshot, (name, type) => isManagedObject(name) && isManagedObject(tableOf(name, type) ?? name));
}
