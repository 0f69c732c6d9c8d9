import type { CoreTables } from '@market-spine/core';
import type { FinraTier } from './tiers.js';

/**
 * Kysely row types of the FINRA OTC transparency tables and views, declared
 * once (units: volumes in shares, counts in trades, shares/market_share/hhi as
 * fractions 0–1, dates `YYYY-MM-DD`, instants ISO-8601 UTC).
 */
interface Lineage {
  calc_name: string;
  calc_version: string;
  capture_id: string;
  captured_at: string;
  execution_id: string;
  batch_id: string | null;
  calculated_at: string;
}

interface WeekTier {
  week_ending: string;
  tier: FinraTier;
}

/** `finra_otc_transparency_captures`: one row per ingested (week, tier) content. */
export interface CapturesTable extends WeekTier {
  capture_id: string;
  week_ending_source: 'derived' | 'override' | 'file';
  load_id: string;
  source_type: string;
  source_locator: string;
  source_sha256: string;
  source_bytes: number;
  source_format: string;
  source_last_update_date: string | null;
  /** FINRA initialPublishedDate, earliest of the capture (API records, migration 0010); null for website exports. */
  source_initial_published_date: string | null;
  lines_total: number;
  stage: 'INGESTED' | 'NORMALIZED' | 'AGGREGATED' | 'ROLLING' | 'SNAPSHOT';
  captured_at: string;
  execution_id: string;
  batch_id: string | null;
}

/** `finra_otc_transparency_raw`: accepted input lines as delivered. */
export interface RawTable extends WeekTier {
  capture_id: string;
  load_id: string;
  line_number: number;
  source_tier: string | null;
  source_week_ending: string | null;
  symbol: string;
  issue_name: string | null;
  market_participant_name: string | null;
  mpid: string;
  total_weekly_share_quantity: number;
  total_weekly_trade_count: number;
  source_last_update_date: string | null;
  raw_line: string;
  record_hash: string;
  captured_at: string;
  execution_id: string;
  batch_id: string | null;
}

/** `finra_otc_transparency_rejects`: refused input lines with seed 001 reason codes. */
export interface RejectsTable {
  reject_id: number;
  load_id: string;
  capture_id: string | null;
  week_ending: string | null;
  tier: string | null;
  source_locator: string;
  line_number: number;
  raw_line: string;
  raw_record_hash: string;
  stage: 'INGEST' | 'NORMALIZE' | 'AGGREGATE';
  reason_code: string;
  reason_detail: string;
  execution_id: string;
  batch_id: string | null;
  created_at: string;
}

/** `…_weekly_symbol_venue_volume`: normalized shares and trades per symbol × MPID (calc weekly_symbol_venue_volume). */
export interface WeeklySymbolVenueVolumeTable extends WeekTier, Lineage {
  symbol: string;
  mpid: string;
  issue_name: string | null;
  market_participant_name: string | null;
  total_volume: number;
  trade_count: number;
  source_last_update_date: string | null;
}

/** `…_symbol_summary`: per symbol totals; avg_trade_size in shares per trade, null without trades. */
export interface SymbolSummaryTable extends WeekTier, Lineage {
  symbol: string;
  issue_name: string | null;
  total_volume: number;
  total_trades: number;
  venue_count: number;
  avg_trade_size: number | null;
}

/** `…_weekly_symbol_venue_share`: venue_share = venue_volume / symbol_volume (0–1), venue_rank 1 = largest. */
export interface WeeklySymbolVenueShareTable extends WeekTier, Lineage {
  symbol: string;
  mpid: string;
  venue_volume: number;
  symbol_volume: number;
  venue_share: number;
  venue_rank: number;
}

/** `…_venue_share`: tier-wide market_share of each MPID (0–1) and its rank. */
export interface VenueShareTable extends WeekTier, Lineage {
  mpid: string;
  market_participant_name: string | null;
  total_volume: number;
  total_trades: number;
  symbol_count: number;
  market_share: number;
  rank: number;
}

/** `…_weekly_symbol_venue_concentration_hhi`: HHI Σ share² (0–1) per symbol. */
export interface ConcentrationHhiTable extends WeekTier, Lineage {
  symbol: string;
  venue_count: number;
  total_volume: number;
  hhi: number;
}

/** `…_symbol_rolling_6w`: six-week averages (shares, trades per week), trend, window completeness (0/1). */
export interface SymbolRolling6wTable extends WeekTier, Lineage {
  symbol: string;
  window_start: string;
  avg_6w_volume: number;
  avg_6w_trades: number;
  trend_direction: 'UP' | 'DOWN' | 'FLAT';
  trend_pct: string | null;
  weeks_in_window: number;
  is_complete_window: number;
}

/** `…_research_snapshot`: seed 001's research row; *_pct is percent 0–100 as a decimal string. */
export interface ResearchSnapshotTable extends WeekTier, Lineage {
  symbol: string;
  total_volume: number;
  total_trades: number;
  venue_count: number;
  top_venue_mpid: string | null;
  top_venue_share_pct: string | null;
  avg_trade_size: string | null;
  hhi: number | null;
  rolling_avg_6w_volume: number | null;
  rolling_avg_6w_trades: number | null;
  rolling_trend_direction: 'UP' | 'DOWN' | 'FLAT' | null;
  rolling_weeks_available: number | null;
  rolling_is_complete: number | null;
  has_rolling_data: number;
  quality_status: 'PASS' | 'WARN' | 'FAIL' | null;
}

/**
 * `…_weekly_symbol_total`: FINRA's weekly ATS totals per symbol from the Query API
 * (summary type ATS_W_SMBL; calc weekly_symbol_total). Volume in shares, trades in
 * trades, avg_trade_size in shares per trade, total_notional in USD as an exact
 * decimal string; is_revision 0/1 (lastUpdateDate after initialPublishedDate).
 */
export interface WeeklySymbolTotalTable extends WeekTier, Lineage {
  symbol: string;
  summary_type_code: 'ATS_W_SMBL';
  week_start_date: string;
  issue_name: string | null;
  product_type_code: string | null;
  total_volume: number;
  total_trades: number;
  avg_trade_size: number | null;
  total_notional: string | null;
  initial_published_date: string;
  source_last_update_date: string;
  last_reported_date: string | null;
  is_revision: number;
  record_number: number;
  record_hash: string;
}

/** The FINRA tables, their `*_latest` and `*_<version>_latest` views (same row types), plus the core tables. */
export interface FinraTables extends CoreTables {
  finra_otc_transparency_captures: CapturesTable;
  finra_otc_transparency_raw: RawTable;
  finra_otc_transparency_raw_latest: RawTable;
  finra_otc_transparency_rejects: RejectsTable;
  finra_otc_transparency_weekly_symbol_venue_volume: WeeklySymbolVenueVolumeTable;
  finra_otc_transparency_weekly_symbol_venue_volume_latest: WeeklySymbolVenueVolumeTable;
  finra_otc_transparency_symbol_summary: SymbolSummaryTable;
  finra_otc_transparency_symbol_summary_latest: SymbolSummaryTable;
  finra_otc_transparency_weekly_symbol_venue_share: WeeklySymbolVenueShareTable;
  finra_otc_transparency_weekly_symbol_venue_share_latest: WeeklySymbolVenueShareTable;
  finra_otc_transparency_venue_share: VenueShareTable;
  finra_otc_transparency_venue_share_latest: VenueShareTable;
  finra_otc_transparency_weekly_symbol_venue_concentration_hhi: ConcentrationHhiTable;
  finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest: ConcentrationHhiTable;
  finra_otc_transparency_symbol_rolling_6w: SymbolRolling6wTable;
  finra_otc_transparency_symbol_rolling_6w_latest: SymbolRolling6wTable;
  finra_otc_transparency_research_snapshot: ResearchSnapshotTable;
  finra_otc_transparency_research_snapshot_latest: ResearchSnapshotTable;
  // One view per calc version, `<table>_<version>_latest` (migration 0009).
  finra_otc_transparency_weekly_symbol_venue_volume_v1_latest: WeeklySymbolVenueVolumeTable;
  finra_otc_transparency_symbol_summary_v1_latest: SymbolSummaryTable;
  finra_otc_transparency_weekly_symbol_venue_share_v1_latest: WeeklySymbolVenueShareTable;
  finra_otc_transparency_venue_share_v1_latest: VenueShareTable;
  finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest: ConcentrationHhiTable;
  finra_otc_transparency_symbol_rolling_6w_v1_latest: SymbolRolling6wTable;
  finra_otc_transparency_symbol_rolling_6w_v2_latest: SymbolRolling6wTable;
  finra_otc_transparency_research_snapshot_v1_latest: ResearchSnapshotTable;
  // FINRA Query API symbol totals and their rolling rows; views newest capture per (week, tier, symbol) (migration 0010).
  finra_otc_transparency_weekly_symbol_total: WeeklySymbolTotalTable;
  finra_otc_transparency_weekly_symbol_total_latest: WeeklySymbolTotalTable;
  finra_otc_transparency_weekly_symbol_total_v1_latest: WeeklySymbolTotalTable;
  finra_otc_transparency_symbol_total_rolling_6w: SymbolRolling6wTable;
  finra_otc_transparency_symbol_total_rolling_6w_latest: SymbolRolling6wTable;
  finra_otc_transparency_symbol_total_rolling_6w_v1_latest: SymbolRolling6wTable;
}
