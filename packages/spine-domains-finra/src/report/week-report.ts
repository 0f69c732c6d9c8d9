import { ErrorCode, SpineError, nowIso } from '@market-spine/core';
import type { CoreQualityChecksTable, SpineDb } from '@market-spine/core';
import { readResults } from '@market-spine/quality';
import type { TierVenueShare } from '../calculations.js';
import { DOMAIN, STAGES, partitionKey } from '../pipeline/stages.js';
import { listWeeks, rejectCounts, venueRanking } from '../read.js';
import type { WeekStatus } from '../read.js';
import type { FinraTables, RejectsTable } from '../tables.js';
import type { FinraTier } from '../tiers.js';

/**
 * Everything the HTML week report shows, collected through the read API and
 * the `*_latest` views (newest capture of the week, current calc version).
 * Units as in the tables: shares, trades, shares and HHI as fractions 0–1.
 */

/** A symbol's venue concentration for the week. */
export interface ConcentratedSymbol {
  readonly symbol: string;
  readonly venueCount: number;
  /** Shares. */
  readonly totalVolume: number;
  /** Σ venue share², 0–1 (1 = one venue). */
  readonly hhi: number;
}

/** Number of symbols whose HHI falls in [from, to) (the last band is exactly 1: one venue). */
export interface HhiBand {
  readonly label: string;
  readonly from: number;
  readonly to: number;
  readonly symbols: number;
}

/** A stored reject of the week's capture. */
export type ReportReject = Pick<RejectsTable, 'line_number' | 'stage' | 'reason_code' | 'reason_detail' | 'raw_line' | 'source_locator'>;

/** A stored quality result of the week's capture. */
export type ReportQualityResult = Pick<
  CoreQualityChecksTable,
  'stage' | 'check_name' | 'category' | 'severity' | 'status' | 'check_value' | 'expected_value' | 'message' | 'failed_row_count' | 'checked_at'
>;

/** The data of one (week, tier) report. */
export interface WeekReport {
  readonly weekEnding: string;
  readonly tier: FinraTier;
  /** The week as `listWeeks` reports it (newest capture, counts, worst quality status). */
  readonly week: WeekStatus;
  /** Tier-wide venue ranking, best first. */
  readonly venues: readonly TierVenueShare[];
  readonly concentration: {
    readonly symbols: number;
    /** Highest HHI first (ties: larger volume first). */
    readonly most: readonly ConcentratedSymbol[];
    /** Lowest HHI first (ties: larger volume first). */
    readonly least: readonly ConcentratedSymbol[];
    readonly bands: readonly HhiBand[];
  };
  readonly rejects: {
    readonly total: number;
    /** By reason code, most frequent first. */
    readonly counts: readonly { reasonCode: string; count: number }[];
    /** By line number, at most `rejectRows` of them. */
    readonly rows: readonly ReportReject[];
  };
  /** Newest result of each (stage, check), in stage order. */
  readonly quality: readonly ReportQualityResult[];
  /** ISO-8601 UTC instant the report was collected. */
  readonly generatedAt: string;
}

/** Options of {@link collectWeekReport}. */
export interface WeekReportOptions {
  /** Symbols in the most and least concentrated lists (default 10). */
  readonly top?: number;
  /** Most reject rows listed (default 500; the counts cover all of them). */
  readonly rejectRows?: number;
  /** Instant recorded as `generatedAt` (default now). */
  readonly generatedAt?: string;
}

/** HHI bands of the distribution chart: 0.2 wide, then "exactly 1" (single-venue symbols). */
const HHI_BANDS: readonly { label: string; from: number; to: number }[] = [
  { label: '0 – 0.2', from: 0, to: 0.2 },
  { label: '0.2 – 0.4', from: 0.2, to: 0.4 },
  { label: '0.4 – 0.6', from: 0.4, to: 0.6 },
  { label: '0.6 – 0.8', from: 0.6, to: 0.8 },
  { label: '0.8 – 1', from: 0.8, to: 1 },
  { label: '1 (one venue)', from: 1, to: Number.POSITIVE_INFINITY },
];

/** Most quality results read for one partition (every stage of every capture). */
const QUALITY_RESULTS_LIMIT = 10_000;

function byVolumeThenSymbol(a: ConcentratedSymbol, b: ConcentratedSymbol): number {
  return b.totalVolume - a.totalVolume || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
}

/** Symbols per HHI band. A float sum of squares can land a hair off 1: within 1e-12 counts as one venue. */
export function hhiBands(symbols: readonly ConcentratedSymbol[]): HhiBand[] {
  return HHI_BANDS.map((band) => ({
    ...band,
    symbols: symbols.filter((s) => {
      const hhi = s.hhi >= 1 - 1e-12 ? 1 : s.hhi;
      return hhi >= band.from && hhi < band.to;
    }).length,
  }));
}

async function concentration(db: SpineDb<FinraTables>, week: WeekStatus, top: number): Promise<WeekReport['concentration']> {
  const rows = await db.kysely
    .selectFrom('finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest')
    .select(['symbol', 'venue_count', 'total_volume', 'hhi'])
    .where('week_ending', '=', week.weekEnding)
    .where('tier', '=', week.tier)
    .execute();
  const symbols: ConcentratedSymbol[] = rows.map((r) => ({ symbol: r.symbol, venueCount: Number(r.venue_count), totalVolume: Number(r.total_volume), hhi: Number(r.hhi) }));
  return {
    symbols: symbols.length,
    most: [...symbols].sort((a, b) => b.hhi - a.hhi || byVolumeThenSymbol(a, b)).slice(0, top),
    least: [...symbols].sort((a, b) => a.hhi - b.hhi || byVolumeThenSymbol(a, b)).slice(0, top),
    bands: hhiBands(symbols),
  };
}

async function rejects(db: SpineDb<FinraTables>, week: WeekStatus, limit: number): Promise<WeekReport['rejects']> {
  const counts = await rejectCounts(db, week.captureId);
  const rows = await db.kysely
    .selectFrom('finra_otc_transparency_rejects')
    .select(['line_number', 'stage', 'reason_code', 'reason_detail', 'raw_line', 'source_locator'])
    .where('capture_id', '=', week.captureId)
    .orderBy('line_number')
    .orderBy('reject_id')
    .limit(limit)
    .execute();
  return { total: counts.reduce((n, c) => n + c.count, 0), counts, rows };
}

async function quality(db: SpineDb<FinraTables>, week: WeekStatus): Promise<ReportQualityResult[]> {
  const stored = await readResults(db.executor(), { domain: DOMAIN, partitionKey: partitionKey(week.weekEnding, week.tier), limit: QUALITY_RESULTS_LIMIT });
  // Newest first: keep the newest result of each (stage, check) of the week's newest capture.
  const newest = new Map<string, ReportQualityResult>();
  for (const r of stored) {
    if (r.capture_id !== week.captureId) continue;
    const key = `${r.stage ?? ''}|${r.check_name}`;
    if (newest.has(key)) continue;
    newest.set(key, {
      stage: r.stage,
      check_name: r.check_name,
      category: r.category,
      severity: r.severity,
      status: r.status,
      check_value: r.check_value,
      expected_value: r.expected_value,
      message: r.message,
      failed_row_count: r.failed_row_count,
      checked_at: r.checked_at,
    });
  }
  const stageOrder = (stage: string | null) => (STAGES as readonly (string | null)[]).indexOf(stage);
  return [...newest.values()].reverse().sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${name} must be a positive whole number, got ${String(value)}.`);
  return value;
}

/**
 * Collects the report of one (week, tier): the week's newest capture, venue
 * market shares, HHI concentration, rejects and stored quality results.
 *
 * @throws SpineError `INVALID_ARGUMENT` when the (week, tier) is not loaded (the hint lists loaded ones) or an option is not a positive integer
 */
export async function collectWeekReport(db: SpineDb<FinraTables>, weekEnding: string, tier: FinraTier, options: WeekReportOptions = {}): Promise<WeekReport> {
  const top = positiveInteger('top', options.top ?? 10);
  const rejectRows = positiveInteger('rejectRows', options.rejectRows ?? 500);
  const weeks = await listWeeks(db);
  const week = weeks.find((w) => w.weekEnding === weekEnding && w.tier === tier);
  if (!week) {
    const loaded = weeks.map((w) => `${w.weekEnding} ${w.tier}`);
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `No FINRA data loaded for week ending ${weekEnding}, tier ${tier}.`, {
      hint:
        loaded.length === 0
          ? 'No week is loaded yet: load files with `spine finra run <files>`.'
          : `Loaded: ${loaded.slice(0, 8).join(', ')}${loaded.length > 8 ? ', …' : ''}; \`spine finra weeks\` lists them all.`,
      details: { weekEnding, tier },
    });
  }
  return {
    weekEnding,
    tier,
    week,
    venues: await venueRanking(db, weekEnding, tier),
    concentration: await concentration(db, week, top),
    rejects: await rejects(db, week, rejectRows),
    quality: await quality(db, week),
    generatedAt: options.generatedAt ?? nowIso(),
  };
}
