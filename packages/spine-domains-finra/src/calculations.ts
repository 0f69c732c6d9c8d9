import { Decimal } from 'decimal.js';

/**
 * Pure calculations of the FINRA OTC transparency pipeline. Units: volumes in
 * shares, counts in trades, shares and HHI as fractions 0–1, percentages as
 * decimal strings 0–100. Inputs are the normalized venue rows of one
 * (week, tier, capture); outputs are sorted deterministically so that the
 * same input gives the same figures on every dialect.
 */

/** A normalized venue row: one symbol on one venue (MPID) for the week. */
export interface VenueVolume {
  readonly symbol: string;
  readonly mpid: string;
  readonly issueName: string | null;
  readonly participantName: string | null;
  /** Shares. */
  readonly volume: number;
  /** Trades. */
  readonly trades: number;
}

/** Weekly totals of one symbol. */
export interface SymbolSummary {
  readonly symbol: string;
  readonly issueName: string | null;
  readonly totalVolume: number;
  readonly totalTrades: number;
  readonly venueCount: number;
  /** Shares per trade; null when the symbol had no trades. */
  readonly avgTradeSize: number | null;
}

/** A venue's share of one symbol's weekly volume. */
export interface SymbolVenueShare {
  readonly symbol: string;
  readonly mpid: string;
  readonly venueVolume: number;
  readonly symbolVolume: number;
  /** venueVolume / symbolVolume, 0–1. */
  readonly venueShare: number;
  /** 1 = the symbol's largest venue; equal volumes share a rank (SQL RANK()). */
  readonly venueRank: number;
}

/** A venue's share of the whole tier's weekly volume. */
export interface TierVenueShare {
  readonly mpid: string;
  readonly participantName: string | null;
  readonly totalVolume: number;
  readonly totalTrades: number;
  readonly symbolCount: number;
  /** totalVolume / tier volume, 0–1. */
  readonly marketShare: number;
  readonly rank: number;
}

/** Venue concentration of one symbol. */
export interface SymbolConcentration {
  readonly symbol: string;
  readonly venueCount: number;
  readonly totalVolume: number;
  /** Herfindahl-Hirschman index Σ share², 0–1 (1 = one venue has everything). */
  readonly hhi: number;
}

const bySymbolThenMpid = (a: VenueVolume, b: VenueVolume) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.mpid < b.mpid ? -1 : a.mpid > b.mpid ? 1 : 0);

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Competition ranks (1, 2, 2, 4) by descending value, as SQL's RANK(): equal values share a rank. */
function ranksDescending(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => b - a);
  const firstIndex = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!firstIndex.has(v)) firstIndex.set(v, i + 1);
  });
  return values.map((v) => firstIndex.get(v) as number);
}

/** Totals per symbol, sorted by symbol. */
export function summarizeSymbols(rows: readonly VenueVolume[]): SymbolSummary[] {
  const groups = groupBy([...rows].sort(bySymbolThenMpid), (r) => r.symbol);
  return [...groups].map(([symbol, venues]) => {
    const totalVolume = venues.reduce((s, v) => s + v.volume, 0);
    const totalTrades = venues.reduce((s, v) => s + v.trades, 0);
    return {
      symbol,
      issueName: venues.find((v) => v.issueName)?.issueName ?? null,
      totalVolume,
      totalTrades,
      venueCount: venues.length,
      avgTradeSize: totalTrades > 0 ? totalVolume / totalTrades : null,
    };
  });
}

/** Each venue's share of its symbol's volume, sorted by symbol then MPID. Symbols with no volume are skipped. */
export function symbolVenueShares(rows: readonly VenueVolume[]): SymbolVenueShare[] {
  const out: SymbolVenueShare[] = [];
  for (const [symbol, venues] of groupBy([...rows].sort(bySymbolThenMpid), (r) => r.symbol)) {
    const symbolVolume = venues.reduce((s, v) => s + v.volume, 0);
    if (symbolVolume === 0) continue;
    const ranks = ranksDescending(venues.map((v) => v.volume));
    venues.forEach((v, i) =>
      out.push({ symbol, mpid: v.mpid, venueVolume: v.volume, symbolVolume, venueShare: v.volume / symbolVolume, venueRank: ranks[i] as number }),
    );
  }
  return out;
}

/** Tier-wide market share per venue, sorted by rank then MPID. */
export function tierVenueShares(rows: readonly VenueVolume[]): TierVenueShare[] {
  const tierVolume = rows.reduce((s, r) => s + r.volume, 0);
  if (tierVolume === 0) return [];
  const venues = [...groupBy([...rows].sort(bySymbolThenMpid), (r) => r.mpid)].map(([mpid, list]) => ({
    mpid,
    participantName: list.find((r) => r.participantName)?.participantName ?? null,
    totalVolume: list.reduce((s, r) => s + r.volume, 0),
    totalTrades: list.reduce((s, r) => s + r.trades, 0),
    symbolCount: new Set(list.map((r) => r.symbol)).size,
  }));
  const ranks = ranksDescending(venues.map((v) => v.totalVolume));
  return venues
    .map((v, i) => ({ ...v, marketShare: v.totalVolume / tierVolume, rank: ranks[i] as number }))
    .sort((a, b) => a.rank - b.rank || (a.mpid < b.mpid ? -1 : 1));
}

/** HHI per symbol (Σ of squared venue shares, summed in MPID order), sorted by symbol. */
export function venueConcentration(rows: readonly VenueVolume[]): SymbolConcentration[] {
  const out: SymbolConcentration[] = [];
  for (const [symbol, venues] of groupBy([...rows].sort(bySymbolThenMpid), (r) => r.symbol)) {
    const totalVolume = venues.reduce((s, v) => s + v.volume, 0);
    if (totalVolume === 0) continue;
    const hhi = venues.reduce((s, v) => s + (v.volume / totalVolume) ** 2, 0);
    out.push({ symbol, venueCount: venues.length, totalVolume, hhi: Math.min(1, hhi) });
  }
  return out;
}

/** Trend of the rolling window (DESIGN.md: UP above +5 %, DOWN below −5 %, else FLAT). */
export type TrendDirection = 'UP' | 'DOWN' | 'FLAT';

/**
 * What the last week of a rolling window is compared with (the versions of
 * CALCS `symbol_rolling_6w`): `first_vs_last` (v1, DESIGN.md) the window's
 * first loaded week; `last_vs_prior_mean` (v2) the mean of the window's
 * earlier loaded weeks.
 */
export type TrendRule = 'first_vs_last' | 'last_vs_prior_mean';

/** One symbol's rolling six-week metrics. */
export interface RollingMetrics {
  readonly symbol: string;
  /** First loaded week of the window. */
  readonly windowStart: string;
  /** Average weekly shares over the loaded weeks, rounded half up to an integer. */
  readonly avg6wVolume: number;
  /** Average weekly trades over the loaded weeks, rounded half up to an integer. */
  readonly avg6wTrades: number;
  readonly trendDirection: TrendDirection;
  /** (last − reference) / reference × 100, two decimals; null when there is no reference week or it had no volume. */
  readonly trendPct: string | null;
  /** Weeks of the tier loaded in the window (1–6). */
  readonly weeksInWindow: number;
  readonly isCompleteWindow: boolean;
}

/** A symbol's weekly totals, keyed by week_ending. */
export type WeeklyTotals = ReadonlyMap<string, { readonly volume: number; readonly trades: number }>;

/**
 * Rolling six-week metrics for the symbols traded in the window's last week.
 *
 * The window is the loaded weeks of the tier among the six ending at the
 * current week. A symbol absent from a loaded week traded nothing on the
 * tier's venues that week (FINRA lists only symbols with volume), so that
 * week counts as zero volume.
 *
 * The trend compares the last week's volume with a reference (see
 * {@link TrendRule}): (last − reference) / reference × 100, computed as
 * (k·last − Σ reference weeks) / Σ reference weeks × 100 for k reference weeks,
 * so the mean is never rounded. When the reference weeks had no volume the
 * percentage is null and the direction UP if the last week traded, else
 * FLAT; with no reference week at all (a one-week window under
 * `last_vs_prior_mean`) the percentage is null and the direction FLAT.
 *
 * @param loadedWeeks week_endings loaded for the tier within the window, oldest first, ending with the current week
 * @param history per symbol, its totals in the loaded weeks
 * @param symbols the symbols of the current week
 * @param rule the trend's reference (default `first_vs_last`, v1)
 */
export function rollingMetrics(
  loadedWeeks: readonly string[],
  history: ReadonlyMap<string, WeeklyTotals>,
  symbols: readonly string[],
  rule: TrendRule = 'first_vs_last',
): RollingMetrics[] {
  const first = loadedWeeks[0];
  const last = loadedWeeks[loadedWeeks.length - 1];
  if (first === undefined || last === undefined) return [];
  const n = loadedWeeks.length;
  return [...symbols].sort().map((symbol) => {
    const weeks = history.get(symbol);
    const at = (week: string) => weeks?.get(week) ?? { volume: 0, trades: 0 };
    const sumVolume = loadedWeeks.reduce((s, w) => s + at(w).volume, 0);
    const sumTrades = loadedWeeks.reduce((s, w) => s + at(w).trades, 0);
    const lastVolume = at(last).volume;
    const reference = (rule === 'first_vs_last' ? [first] : loadedWeeks.slice(0, -1)).map((w) => at(w).volume);
    const referenceSum = reference.reduce((s, v) => s + v, 0);
    let trendDirection: TrendDirection;
    let trendPct: string | null;
    if (referenceSum === 0) {
      trendPct = null;
      trendDirection = lastVolume > 0 && reference.length > 0 ? 'UP' : 'FLAT';
    } else {
      const pct = new Decimal(reference.length * lastVolume - referenceSum).div(referenceSum).times(100);
      trendPct = pct.toFixed(2, Decimal.ROUND_HALF_UP);
      trendDirection = pct.gt(5) ? 'UP' : pct.lt(-5) ? 'DOWN' : 'FLAT';
    }
    return {
      symbol,
      windowStart: first,
      avg6wVolume: new Decimal(sumVolume).div(n).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
      avg6wTrades: new Decimal(sumTrades).div(n).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
      trendDirection,
      trendPct,
      weeksInWindow: n,
      isCompleteWindow: n === 6,
    };
  });
}

/** `part / whole × 100` as a decimal string with `places` decimals (half up). */
export function percentString(part: number, whole: number, places = 4): string {
  return new Decimal(part).div(whole).times(100).toFixed(places, Decimal.ROUND_HALF_UP);
}

/** `numerator / denominator` as a decimal string with `places` decimals (half up); null when the denominator is 0. */
export function ratioString(numerator: number, denominator: number, places = 2): string | null {
  return denominator === 0 ? null : new Decimal(numerator).div(denominator).toFixed(places, Decimal.ROUND_HALF_UP);
}
