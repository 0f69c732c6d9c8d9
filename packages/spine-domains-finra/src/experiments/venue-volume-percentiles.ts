import { createScratch } from '@market-spine/core';
import type { CreateScratchResult, SpineDb } from '@market-spine/core';
import { CALCS } from '../calcs.js';

/**
 * The experimental view of seed 000 "Option B: Views": p50 and p95 of the
 * venue volumes of each symbol, per (week, tier, symbol, capture). An
 * `_exp_` view created on demand, not a migration: it is an experiment
 * (seed 000: "easy to drop without data loss", promoted to a table later if
 * it proves useful), so it stays out of the shipped schema and the drift
 * check, and `spine ops scratch list|drop` manage it.
 */
export const VENUE_VOLUME_PERCENTILES_VIEW = '_exp_finra_otc_transparency_venue_volume_percentiles';

const VENUE_VOLUME = CALCS.weekly_symbol_venue_volume;

/**
 * `PERCENTILE_CONT(numerator / denominator) WITHIN GROUP (ORDER BY total_volume)`
 * in SQL that SQLite (which has no PERCENTILE_CONT) and PostgreSQL both run:
 * with the n volumes in ascending order v₁ … vₙ, the position is
 * h = p·(n − 1) counted from 0 (PostgreSQL docs, "Ordered-Set Aggregate
 * Functions": continuous percentile, interpolating between adjacent input
 * items), and the value v[⌊h⌋] + (h − ⌊h⌋)·(v[⌈h⌉] − v[⌊h⌋]). The position
 * is computed as an exact fraction, k = numerator·(n − 1) in integers
 * (⌊h⌋ = k div denominator, h − ⌊h⌋ = (k mod denominator) / denominator),
 * and the interpolation in DOUBLE PRECISION, the same IEEE arithmetic on
 * both dialects, so both return the same numbers.
 */
function percentile(alias: string, numerator: number, denominator: number): string {
  const k = `(${numerator} * (n - 1))`;
  const low = `MAX(CASE WHEN rn = 1 + ${k} / ${denominator} THEN total_volume END)`;
  const high = `MAX(CASE WHEN rn = 1 + (${k} + ${denominator - 1}) / ${denominator} THEN total_volume END)`;
  const fraction = `CAST(MAX(${k} % ${denominator}) AS DOUBLE PRECISION) / ${denominator}`;
  return `CAST(${low} AS DOUBLE PRECISION) + (CAST(${high} AS DOUBLE PRECISION) - CAST(${low} AS DOUBLE PRECISION)) * ${fraction} AS ${alias}`;
}

/** The view's query: one row per (week, tier, symbol, capture) of the current calc version; volumes in shares. */
export const VENUE_VOLUME_PERCENTILES_SELECT = `SELECT week_ending, tier, symbol, capture_id, captured_at,
    MAX(n) AS venue_count,
    ${percentile('p50_volume', 1, 2)},
    ${percentile('p95_volume', 19, 20)}
FROM (
    SELECT v.week_ending, v.tier, v.symbol, v.capture_id, v.captured_at, v.total_volume,
           ROW_NUMBER() OVER (PARTITION BY v.week_ending, v.tier, v.symbol, v.capture_id ORDER BY v.total_volume) AS rn,
           COUNT(*) OVER (PARTITION BY v.week_ending, v.tier, v.symbol, v.capture_id) AS n
    FROM ${VENUE_VOLUME.table} AS v
    WHERE v.calc_name = 'weekly_symbol_venue_volume' AND v.calc_version = '${VENUE_VOLUME.current}'
) AS ranked
GROUP BY week_ending, tier, symbol, capture_id, captured_at`;

/** A row of the percentile view. */
export interface VenueVolumePercentiles {
  readonly week_ending: string;
  readonly tier: string;
  readonly symbol: string;
  readonly capture_id: string;
  readonly captured_at: string;
  /** Venues (MPIDs) that reported the symbol that week. */
  readonly venue_count: number;
  /** Median venue volume, shares. */
  readonly p50_volume: number;
  /** 95th percentile of the venue volumes, shares. */
  readonly p95_volume: number;
}

/**
 * Creates the percentile view (registered as a scratch object: who, when),
 * or says it exists. Drop it with `dropScratch` / `spine ops scratch drop`.
 *
 * @throws what `createScratch` throws
 */
export async function createVenueVolumePercentilesView(db: SpineDb): Promise<CreateScratchResult> {
  return createScratch(db, VENUE_VOLUME_PERCENTILES_VIEW, { kind: 'view', select: VENUE_VOLUME_PERCENTILES_SELECT }, 'seed 000 Option B: p50/p95 venue volume per symbol');
}

/** An experiment of this domain: an `_exp_` object made on demand (`spine ops experiments create <name>`). */
export interface FinraExperiment {
  /** The `_exp_` view or table it creates. */
  readonly object: string;
  readonly description: string;
  readonly create: (db: SpineDb) => Promise<CreateScratchResult>;
}

/** The FINRA experiments, by name. */
export const FINRA_EXPERIMENTS: Readonly<Record<string, FinraExperiment>> = {
  'venue-volume-percentiles': {
    object: VENUE_VOLUME_PERCENTILES_VIEW,
    description: 'p50 and p95 of the venue volumes (shares) per week, tier, symbol and capture (seed 000 Option B), on SQLite and PostgreSQL alike',
    create: createVenueVolumePercentilesView,
  },
};
