import { sql } from 'kysely';
import type { SelectQueryBuilder } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import type { CalcRowTypes } from './calc-read.js';
import { getCalc } from './calcs.js';
import type { SymbolWeek } from './read.js';
import type { FinraTables } from './tables.js';
import type { FinraTier } from './tiers.js';

/**
 * As-of reads: what the database knew at an instant. For each (week, tier)
 * they read the capture a `*_latest` view would have shown then — the newest
 * capture with rows of the calculation version whose `captured_at` ≤ asOf,
 * the higher `capture_id` winning a tie on `captured_at` — which a view
 * cannot do, since it takes no argument (DESIGN.md "Captures").
 *
 * Served by each calc table's indexes: the symbol (or capture) index finds
 * the rows, `idx_*_latest` (week_ending, tier, calc_name, calc_version,
 * captured_at DESC, capture_id DESC) picks each week's capture with one seek.
 */

/** An instant: ISO-8601 with `Z` or an offset (`2025-12-20T00:00:00Z`, `…+01:00`), or a Date. */
export type AsOfInstant = string | Date;

/**
 * An as-of instant in the one form the databases compare correctly:
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, milliseconds — how `captured_at` is
 * stored; SQLite compares it as text). Finer fractions are cut to the
 * millisecond, which keeps every capture at or before the instant.
 *
 * @throws SpineError `INVALID_ARGUMENT` for text without a UTC offset (`2025-12-20`, `2025-12-20T10:00`), or an invalid Date
 */
export function parseAsOf(value: AsOfInstant): string {
  let millis: number;
  if (value instanceof Date) millis = value.getTime();
  else {
    try {
      millis = Temporal.Instant.from(value.trim()).epochMilliseconds;
    } catch {
      millis = Number.NaN;
    }
  }
  const iso = Number.isFinite(millis) ? new Date(millis).toISOString() : '';
  if (iso.length !== 24) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Invalid as-of instant ${JSON.stringify(String(value))}: expected an ISO-8601 instant with Z or an offset, years 0000-9999.`, {
      hint: 'Give an instant with its offset, e.g. 2025-12-20T00:00:00Z: a bare date or time does not say which time zone it is in.',
    });
  }
  return iso;
}

/** Options of {@link calcRowsAsOf}. */
export interface CalcRowsAsOfOptions {
  /** The calculation version to read (default: the registry's current one, as the `*_latest` views). */
  readonly version?: string;
}

/**
 * A query of a calculation's rows as known at `asOf`, aliased `t`: for each
 * (week, tier), the rows of the newest capture with `captured_at` ≤ asOf
 * (ties: higher `capture_id`) among the captures that have rows of the
 * version. Narrow it with `where` (e.g. `t.symbol`) and select columns, then
 * execute it. With an instant after the last capture it returns what the
 * `*_latest` view returns.
 *
 * @example
 * const rows = await calcRowsAsOf(db, 'weekly_symbol_venue_volume', '2025-12-20T00:00:00Z')
 *   .where('t.symbol', '=', 'AABB').selectAll('t').orderBy('t.week_ending').execute();
 * @throws SpineError `INVALID_ARGUMENT` for an unknown calc, an unregistered version or an invalid instant
 */
export function calcRowsAsOf<N extends keyof CalcRowTypes>(db: SpineDb<FinraTables>, name: N, asOf: AsOfInstant, options: CalcRowsAsOfOptions = {}) {
  const calc = getCalc(name);
  const version = options.version ?? calc.current;
  if (!calc.versions.includes(version)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${name} has no version ${JSON.stringify(version)}.`, { hint: `Registered versions: ${calc.versions.join(', ')}.` });
  }
  const at = parseAsOf(asOf);
  const table = sql.table(calc.table);
  return db.kysely
    .selectFrom(sql<CalcRowTypes[N]>`${table}`.as('t'))
    .where(
      sql<boolean>`t.calc_name = ${name} AND t.calc_version = ${version} AND t.capture_id = (
        SELECT c.capture_id FROM ${table} AS c
        WHERE c.week_ending = t.week_ending AND c.tier = t.tier AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
          AND c.captured_at <= ${at}
        ORDER BY c.captured_at DESC, c.capture_id DESC
        LIMIT 1)`,
    );
}

/** A week of {@link symbolHistoryAsOf}: the figures and the capture they come from. */
export interface SymbolWeekAsOf extends SymbolWeek {
  /** The capture of the week's symbol summary as known at the instant. */
  readonly captureId: string;
  /** When that capture was ingested (ISO-8601 UTC). */
  readonly capturedAt: string;
}

/**
 * A symbol's weeks as known at `asOf`, oldest first: the figures of
 * `symbolHistory` (volume in shares, trades, venues, HHI 0–1, rolling 6-week
 * metrics, top venue and its share 0–1) from each week's capture at that
 * instant (see {@link calcRowsAsOf}; each calculation is read as of the
 * instant on its own, as the `*_latest` views do). Weeks first captured
 * after the instant are absent; a row that a later revision removed is there,
 * one it added is not. Unknown symbols give an empty list.
 *
 * @throws SpineError `INVALID_ARGUMENT` for an invalid instant
 */
export async function symbolHistoryAsOf(db: SpineDb<FinraTables>, symbol: string, options: { readonly asOf: AsOfInstant; readonly tier?: FinraTier }): Promise<SymbolWeekAsOf[]> {
  // Every table read here has symbol and tier columns; the builders keep their own row types.
  const ofSymbol = <QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB => {
    const narrowed = query.where('t.symbol', '=', symbol);
    return (options.tier === undefined ? narrowed : narrowed.where('t.tier', '=', options.tier)) as QB;
  };
  const summaries = await calcRowsAsOf(db, 'symbol_summary', options.asOf)
    .$call(ofSymbol)
    .select(['t.week_ending', 't.tier', 't.total_volume', 't.total_trades', 't.venue_count', 't.avg_trade_size', 't.capture_id', 't.captured_at'])
    .orderBy('t.week_ending')
    .orderBy('t.tier')
    .execute();
  const weekKey = (r: { week_ending: string; tier: string }) => `${r.week_ending}|${r.tier}`;
  const hhi = new Map((await calcRowsAsOf(db, 'venue_concentration_hhi', options.asOf).$call(ofSymbol).select(['t.week_ending', 't.tier', 't.hhi']).execute()).map((r) => [weekKey(r), r.hhi]));
  const rolling = new Map(
    (await calcRowsAsOf(db, 'symbol_rolling_6w', options.asOf).$call(ofSymbol).select(['t.week_ending', 't.tier', 't.avg_6w_volume', 't.trend_direction', 't.trend_pct', 't.weeks_in_window']).execute()).map((r) => [weekKey(r), r]),
  );
  const top = new Map<string, { mpid: string; venue_share: number }>();
  const ranked = await calcRowsAsOf(db, 'weekly_symbol_venue_share', options.asOf).$call(ofSymbol).select(['t.week_ending', 't.tier', 't.mpid', 't.venue_share']).where('t.venue_rank', '=', 1).orderBy('t.mpid').execute();
  for (const r of ranked) if (!top.has(weekKey(r))) top.set(weekKey(r), r);
  return summaries.map((s) => {
    const key = weekKey(s);
    const roll = rolling.get(key);
    return {
      weekEnding: s.week_ending,
      tier: s.tier,
      totalVolume: s.total_volume,
      totalTrades: s.total_trades,
      venueCount: s.venue_count,
      avgTradeSize: s.avg_trade_size,
      hhi: hhi.get(key) ?? null,
      avg6wVolume: roll?.avg_6w_volume ?? null,
      trendDirection: roll?.trend_direction ?? null,
      trendPct: roll?.trend_pct ?? null,
      weeksInWindow: roll?.weeks_in_window ?? null,
      topVenue: top.get(key)?.mpid ?? null,
      topVenueShare: top.get(key)?.venue_share ?? null,
      captureId: s.capture_id,
      capturedAt: s.captured_at,
    };
  });
}
