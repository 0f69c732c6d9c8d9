import type { SpineDb } from '@market-spine/core';
import { CALCS } from './calcs.js';
import type { Stage } from './pipeline/stages.js';
import type { FinraTables } from './tables.js';
import type { FinraTier } from './tiers.js';

/**
 * Captures of a (week, tier) and what changed between two of them: a revised
 * FINRA file (same week and tier, later `lastUpdateDate`) is a new capture
 * beside the old one, and the diff lists the venue rows
 * (`weekly_symbol_venue_volume`, current version) it added, removed or changed.
 */

/** A capture of a (week, tier), with its three clocks. */
export interface CaptureInfo {
  readonly captureId: string;
  /** When it was ingested (ISO-8601 UTC). */
  readonly capturedAt: string;
  /** FINRA's latest `lastUpdateDate` in the file (`YYYY-MM-DD`), null for formats without it. */
  readonly sourceLastUpdateDate: string | null;
  readonly sourceLocator: string;
  /** `file` for FINRA website exports, `api` for Query API symbol totals (which have no venue rows to compare). */
  readonly sourceType: string;
  /** Furthest pipeline stage the capture reached. */
  readonly stage: Stage;
  /** Its normalized venue rows of the current `weekly_symbol_venue_volume` version (0 before NORMALIZED). */
  readonly venueRows: number;
}

/**
 * The captures of a (week, tier), newest first (by `captured_at`, then the
 * higher `capture_id`: the order the `*_latest` views and as-of reads use).
 */
export async function listCaptures(db: SpineDb<FinraTables>, weekEnding: string, tier: FinraTier): Promise<CaptureInfo[]> {
  const calc = CALCS.weekly_symbol_venue_volume;
  const captures = await db.kysely
    .selectFrom('finra_otc_transparency_captures')
    .select(['capture_id', 'captured_at', 'source_last_update_date', 'source_locator', 'source_type', 'stage'])
    .where('week_ending', '=', weekEnding)
    .where('tier', '=', tier)
    .orderBy('captured_at', 'desc')
    .orderBy('capture_id', 'desc')
    .execute();
  const counts = await db.kysely
    .selectFrom('finra_otc_transparency_weekly_symbol_venue_volume')
    .select((eb) => ['capture_id', eb.fn.countAll<number>().as('n')])
    .where('week_ending', '=', weekEnding)
    .where('tier', '=', tier)
    .where('calc_name', '=', 'weekly_symbol_venue_volume')
    .where('calc_version', '=', calc.current)
    .groupBy('capture_id')
    .execute();
  const rows = new Map(counts.map((c) => [c.capture_id, Number(c.n)]));
  return captures.map((c) => ({
    captureId: c.capture_id,
    capturedAt: c.captured_at,
    sourceLastUpdateDate: c.source_last_update_date,
    sourceLocator: c.source_locator,
    sourceType: c.source_type,
    stage: c.stage,
    venueRows: rows.get(c.capture_id) ?? 0,
  }));
}

/** A venue row's figures: shares and trades of one symbol at one venue (MPID). */
export interface VenueFigures {
  readonly symbol: string;
  readonly mpid: string;
  /** Shares. */
  readonly totalVolume: number;
  /** Trades. */
  readonly tradeCount: number;
}

/** A venue row in both captures whose shares or trades differ: old → new. */
export interface VenueChange {
  readonly symbol: string;
  readonly mpid: string;
  readonly totalVolume: { readonly old: number; readonly new: number };
  readonly tradeCount: { readonly old: number; readonly new: number };
}

/** Options of {@link diffCaptures}. */
export interface CaptureDiffOptions {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  /** The older side (default: the newest comparable capture before `to`). */
  readonly from?: string;
  /** The newer side (default: the newest comparable capture). */
  readonly to?: string;
}

/**
 * Outcome of {@link diffCaptures}. `captures` lists the (week, tier)'s
 * captures newest first; only those with venue rows (`venueRows` > 0) can be
 * compared.
 */
export type CaptureDiff =
  | {
      readonly status: 'ok';
      readonly weekEnding: string;
      readonly tier: FinraTier;
      readonly from: CaptureInfo;
      readonly to: CaptureInfo;
      /** Rows only in `to`, by symbol then MPID. */
      readonly added: readonly VenueFigures[];
      /** Rows only in `from`. */
      readonly removed: readonly VenueFigures[];
      /** Rows in both whose shares or trades differ. */
      readonly changed: readonly VenueChange[];
      /** Rows in both with the same shares and trades (other columns, e.g. lastUpdateDate, are not compared). */
      readonly unchanged: number;
    }
  | { readonly status: 'not_enough_captures'; readonly weekEnding: string; readonly tier: FinraTier; readonly captures: readonly CaptureInfo[] }
  | { readonly status: 'capture_not_found'; readonly weekEnding: string; readonly tier: FinraTier; readonly captureId: string; readonly captures: readonly CaptureInfo[] };

async function venueFigures(db: SpineDb<FinraTables>, weekEnding: string, tier: FinraTier, captureId: string): Promise<Map<string, VenueFigures>> {
  const rows = await db.kysely
    .selectFrom('finra_otc_transparency_weekly_symbol_venue_volume')
    .select(['symbol', 'mpid', 'total_volume', 'trade_count'])
    .where('week_ending', '=', weekEnding)
    .where('tier', '=', tier)
    .where('capture_id', '=', captureId)
    .where('calc_name', '=', 'weekly_symbol_venue_volume')
    .where('calc_version', '=', CALCS.weekly_symbol_venue_volume.current)
    .execute();
  return new Map(rows.map((r) => [`${r.symbol}\u0000${r.mpid}`, { symbol: r.symbol, mpid: r.mpid, totalVolume: Number(r.total_volume), tradeCount: Number(r.trade_count) }]));
}

const bySymbolAndMpid = (a: { symbol: string; mpid: string }, b: { symbol: string; mpid: string }) =>
  a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.mpid < b.mpid ? -1 : a.mpid > b.mpid ? 1 : 0;

/**
 * What changed in a (week, tier) between two captures, per symbol and venue:
 * rows added, removed, and changed with old → new shares and trades. By
 * default the two newest captures that have venue rows (a revision against
 * what it revised). Expected outcomes — fewer than two such captures, an id
 * that is not one of them — are results, not errors.
 */
export async function diffCaptures(db: SpineDb<FinraTables>, options: CaptureDiffOptions): Promise<CaptureDiff> {
  const { weekEnding, tier } = options;
  const captures = await listCaptures(db, weekEnding, tier);
  const comparable = captures.filter((c) => c.venueRows > 0);
  const pick = (id: string) => comparable.find((c) => c.captureId === id);
  for (const id of [options.to, options.from]) {
    if (id !== undefined && pick(id) === undefined) return { status: 'capture_not_found', weekEnding, tier, captureId: id, captures };
  }
  const to = options.to === undefined ? comparable[0] : pick(options.to);
  const from = to === undefined ? undefined : options.from === undefined ? comparable[comparable.indexOf(to) + 1] : pick(options.from);
  if (to === undefined || from === undefined) return { status: 'not_enough_captures', weekEnding, tier, captures };

  const before = await venueFigures(db, weekEnding, tier, from.captureId);
  const after = await venueFigures(db, weekEnding, tier, to.captureId);
  const added: VenueFigures[] = [];
  const changed: VenueChange[] = [];
  let unchanged = 0;
  for (const [key, now] of after) {
    const was = before.get(key);
    if (was === undefined) added.push(now);
    else if (was.totalVolume === now.totalVolume && was.tradeCount === now.tradeCount) unchanged += 1;
    else {
      changed.push({ symbol: now.symbol, mpid: now.mpid, totalVolume: { old: was.totalVolume, new: now.totalVolume }, tradeCount: { old: was.tradeCount, new: now.tradeCount } });
    }
  }
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, row]) => row);
  return {
    status: 'ok',
    weekEnding,
    tier,
    from,
    to,
    added: added.sort(bySymbolAndMpid),
    removed: removed.sort(bySymbolAndMpid),
    changed: changed.sort(bySymbolAndMpid),
    unchanged,
  };
}
