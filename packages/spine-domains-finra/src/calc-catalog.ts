import type { Kysely } from 'kysely';
import type { SpineDb } from '@market-spine/core';
import { CALCS, getCalc, latestView } from './calcs.js';
import type { CalcEntry, CalcRegistry } from './calcs.js';
import { compareCalcVersions } from './calc-version.js';

/**
 * The CALCS registry against a database: rows per version, and whether the
 * tables and views the registry names are there and show what it says.
 */

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/** How a version stands in the registry. */
export type CalcVersionState = 'current' | 'active' | 'deprecated' | 'unregistered';

/** Rows of one version of a calculation in the database. */
export interface CalcVersionCount {
  readonly version: string;
  /** `current`; `active`: registered, written, not current; `deprecated`; `unregistered`: rows of a version the registry does not list. */
  readonly state: CalcVersionState;
  /** Rows in the table, every capture. */
  readonly rows: number;
}

/** How `version` stands in a calculation's registry entry (`unregistered` when it does not list it). */
export function calcVersionState(calc: Pick<CalcEntry, 'versions' | 'current' | 'deprecated'>, version: string): CalcVersionState {
  if (version === calc.current) return 'current';
  if (calc.deprecated.includes(version)) return 'deprecated';
  return calc.versions.includes(version) ? 'active' : 'unregistered';
}

/** Rows per (calc_name, calc_version) of a table. */
async function tableVersionCounts(db: SpineDb, table: string): Promise<{ calcName: string; version: string; rows: number }[]> {
  const rows = await (db.kysely as AnyDb)
    .selectFrom(table)
    .select((eb) => ['calc_name', 'calc_version', eb.fn.countAll().as('n')])
    .groupBy(['calc_name', 'calc_version'])
    .execute();
  return rows.map((r) => ({ calcName: String(r.calc_name), version: String(r.calc_version), rows: Number(r.n) }));
}

/**
 * Rows per version of a calculation, oldest version first (v2 before v10):
 * every registered version (0 when it has none), then any version found in
 * the table that the registry does not list. Counts every row of the table
 * once (a GROUP BY over it).
 *
 * @param registry the registry the calculation is in (default CALCS)
 * @throws SpineError `INVALID_ARGUMENT` for an unknown calculation
 */
export async function calcVersionCounts(db: SpineDb, name: string, registry: CalcRegistry = CALCS): Promise<CalcVersionCount[]> {
  const calc = getCalc(name, registry);
  const found = new Map((await tableVersionCounts(db, calc.table)).filter((r) => r.calcName === name).map((r) => [r.version, r.rows]));
  const versions = [...new Set([...calc.versions, ...found.keys()])].sort(compareCalcVersions);
  return versions.map((version) => ({ version, state: calcVersionState(calc, version), rows: found.get(version) ?? 0 }));
}

/** A disagreement between the registry and the database. */
export interface CalcDatabaseProblem {
  readonly calc: string;
  /** The table or view at fault. */
  readonly object: string;
  readonly message: string;
}

/** Outcome of {@link checkCalcsDatabase}. */
export type CalcsDatabaseCheck =
  | { readonly status: 'valid'; readonly calcs: number; readonly views: number }
  | { readonly status: 'invalid'; readonly problems: readonly CalcDatabaseProblem[] };

/**
 * Checks that a database agrees with the registry: each calculation's table
 * exists; `<table>_latest` and `<table>_<version>_latest` exist for every
 * registered version with the table's columns; `<table>_latest` shows only
 * the current version and each version view only its version; the table has
 * no rows of a calculation or version the registry does not list. Reads every
 * calc table once (GROUP BY) and probes each view.
 *
 * @param registry the registry to check against (default CALCS)
 */
export async function checkCalcsDatabase(db: SpineDb, registry: CalcRegistry = CALCS): Promise<CalcsDatabaseCheck> {
  const problems: CalcDatabaseProblem[] = [];
  const columnsOf = async (name: string) => (await db.dialect.introspector.columns(db.executor(), name)).map((c) => c.name);
  const calcsByTable = new Map<string, string[]>();
  for (const [name, calc] of Object.entries(registry)) calcsByTable.set(calc.table, [...(calcsByTable.get(calc.table) ?? []), name]);
  let views = 0;

  for (const [table, names] of calcsByTable) {
    const tableColumns = await columnsOf(table);
    if (tableColumns.length === 0) {
      for (const calc of names) problems.push({ calc, object: table, message: `table ${table} does not exist; run \`spine db migrate\`` });
      continue;
    }
    const counts = await tableVersionCounts(db, table);
    for (const { calcName, version, rows } of counts) {
      const calc = registry[calcName];
      if (calc === undefined || calc.table !== table) {
        problems.push({ calc: calcName, object: table, message: `${rows} row(s) of calc_name ${JSON.stringify(calcName)}, which no registered calculation writes to this table` });
      } else if (!calc.versions.includes(version)) {
        problems.push({ calc: calcName, object: table, message: `${rows} row(s) of ${calcName} ${JSON.stringify(version)}, a version the registry does not list (versions: ${calc.versions.join(', ')})` });
      }
    }
    for (const name of names) {
      const calc = registry[name] as CalcEntry;
      const expected: [string, string][] = [[latestView(calc), calc.current], ...calc.versions.map((v): [string, string] => [latestView(calc, v), v])];
      for (const [view, version] of expected) {
        views += 1;
        const viewColumns = await columnsOf(view);
        if (viewColumns.length === 0) {
          problems.push({ calc: name, object: view, message: `view ${view} (${name} ${version}) does not exist; a migration must create it` });
          continue;
        }
        if (viewColumns.join(',') !== tableColumns.join(',')) {
          problems.push({ calc: name, object: view, message: `view ${view} does not have the columns of ${table}` });
          continue;
        }
        const stray = await (db.kysely as AnyDb)
          .selectFrom(view)
          .select(['calc_name', 'calc_version'])
          .where((eb) => eb.or([eb('calc_name', '<>', name), eb('calc_version', '<>', version)]))
          .limit(1)
          .executeTakeFirst();
        if (stray !== undefined) {
          problems.push({
            calc: name,
            object: view,
            message: `view ${view} shows ${String(stray.calc_name)} ${String(stray.calc_version)} rows but should show ${name} ${version}${view === latestView(calc) ? ' (the current version); a migration must re-create it' : ''}`,
          });
        }
      }
    }
  }
  return problems.length > 0 ? { status: 'invalid', problems } : { status: 'valid', calcs: Object.keys(registry).length, views };
}
