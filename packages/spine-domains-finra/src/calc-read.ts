import type { Kysely } from 'kysely';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { CALCS, getCalc, latestView } from './calcs.js';
import type { CalcEntry, CalcName, CalcRegistry } from './calcs.js';
import type {
  ConcentrationHhiTable,
  ResearchSnapshotTable,
  SymbolRolling6wTable,
  SymbolSummaryTable,
  VenueShareTable,
  WeeklySymbolVenueShareTable,
  WeeklySymbolTotalTable,
  WeeklySymbolVenueVolumeTable,
} from './tables.js';

/** The row type of each calculation's table and views (units in `tables.ts`). */
export interface CalcRowTypes {
  weekly_symbol_venue_volume: WeeklySymbolVenueVolumeTable;
  symbol_summary: SymbolSummaryTable;
  weekly_symbol_venue_share: WeeklySymbolVenueShareTable;
  venue_market_share: VenueShareTable;
  venue_concentration_hhi: ConcentrationHhiTable;
  symbol_rolling_6w: SymbolRolling6wTable;
  research_snapshot: ResearchSnapshotTable;
  weekly_symbol_total: WeeklySymbolTotalTable;
  symbol_total_rolling_6w: SymbolRolling6wTable;
}

/** Reading a deprecated version: its rows are kept for history and get no new weeks. */
export interface CalcReadWarning {
  readonly code: 'CALC_VERSION_DEPRECATED';
  readonly calc: string;
  readonly version: string;
  /** The version to move to. */
  readonly current: string;
  readonly message: string;
}

/**
 * The warnings due when `version` of a calculation is read: one when it is
 * deprecated, none otherwise. For readers that query a version's view
 * themselves; {@link readCalcRows} attaches them to its result.
 *
 * @param registry the registry the calculation is in (default CALCS)
 * @throws SpineError `INVALID_ARGUMENT` for an unknown calculation or version
 */
export function calcVersionWarnings(name: string, version: string, registry: CalcRegistry = CALCS): CalcReadWarning[] {
  const calc = getCalc(name, registry);
  requireVersion(calc, version);
  if (!calc.deprecated.includes(version)) return [];
  return [
    {
      code: 'CALC_VERSION_DEPRECATED',
      calc: name,
      version,
      current: calc.current,
      message: `${name} ${version} is deprecated: it gets no new weeks and may be removed in a later release; read ${calc.current} (${latestView(calc)}) instead.`,
    },
  ];
}

function requireVersion(calc: CalcEntry & { readonly name: string }, version: string): void {
  if (!calc.versions.includes(version)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${calc.name} has no version ${JSON.stringify(version)}.`, {
      hint: `Its versions: ${calc.versions.join(', ')} (current ${calc.current}).`,
    });
  }
}

/** Options of {@link readCalcRows}. */
export interface ReadCalcOptions {
  /** The version to read (default: the current one). */
  readonly version?: string;
  /** Equality filters on business keys, e.g. `{ week_ending: '2025-11-28', symbol: 'AABB' }` (values are bound, never SQL). */
  readonly where?: Readonly<Record<string, string | number>>;
  /** Most rows returned; all when absent. */
  readonly limit?: number;
  /** The registry the calculation is in (default CALCS). */
  readonly registry?: CalcRegistry;
}

/** Rows of one version of a calculation, and what the reader should be told about that version. */
export interface CalcRead<Row> {
  readonly calc: string;
  readonly version: string;
  /** The view read: `<table>_<version>_latest`. */
  readonly view: string;
  /** Newest capture of each (week, tier), ordered by the business keys. */
  readonly rows: Row[];
  /** Non-empty when the version is deprecated: show it to the reader (the CLI prints it on stderr). */
  readonly warnings: readonly CalcReadWarning[];
}

/**
 * Reads a calculation's rows, newest capture of each (week, tier): the
 * current version by default, or the version asked for (seed 000 strategy 1:
 * versions coexist in one table; rollback is "just query v1"). Reading a
 * deprecated version works and returns a warning. Reads the version's own
 * view, so the rows are that version's even where `<table>_latest` lags a
 * change of `current` (`checkCalcsDatabase` reports that).
 *
 * @throws SpineError `INVALID_ARGUMENT` for an unknown calculation or version, a filter on a column that is not a business key, or a limit that is not a positive integer
 */
export async function readCalcRows<N extends CalcName>(db: SpineDb, name: N, options: ReadCalcOptions = {}): Promise<CalcRead<CalcRowTypes[N]>> {
  const registry = options.registry ?? CALCS;
  const calc = getCalc(name, registry);
  const version = options.version ?? calc.current;
  const warnings = calcVersionWarnings(name, version, registry);
  const where = options.where ?? {};
  for (const column of Object.keys(where)) {
    if (!calc.business_keys.includes(column)) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${JSON.stringify(column)} is not a business key of ${name}.`, { hint: `Filter on ${calc.business_keys.join(', ')}.` });
    }
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `The limit must be a positive integer, got ${options.limit}.`);
  }
  const view = latestView(calc, version);
  // Business keys are identifiers (the registry checks them), so they can name columns.
  let query = (db.kysely as Kysely<Record<string, Record<string, unknown>>>).selectFrom(view).selectAll().where('calc_name', '=', name);
  for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
  for (const key of calc.business_keys) query = query.orderBy(key);
  if (options.limit !== undefined) query = query.limit(options.limit);
  const rows = (await query.execute()) as unknown as CalcRowTypes[N][];
  return { calc: name, version, view, rows, warnings };
}
