-- spine:description finra calc version views: <table>_<version>_latest for every registered calc version, symbol_rolling_6w v1 and v2 included
-- Seed 000 "Calculation Versioning", strategy 1: the versions of a calculation
-- share its table, told apart by calc_version. Each registered version (CALCS in
-- src/calcs.ts) gets a view of its own rows, newest capture per (week, tier),
-- named <table>_<version>_latest. <table>_latest keeps showing the current
-- version; every current version is still v1, so the *_latest views of
-- 0002-0008 stay as they are. A release that makes another version current
-- drops and re-creates <table>_latest naming it, in a migration of its own.
-- New here: symbol_rolling_6w v2 (trend of the last week against the mean of
-- the window's earlier weeks; CALCS version_notes say why), written beside v1.
-- The bodies are those of the *_latest views, with the version named: the newest
-- capture per (week, tier) among this version's rows; capture_id breaks captured_at
-- ties. Each table's idx_*_latest (week_ending, tier, calc_name, calc_version,
-- captured_at DESC, capture_id DESC) serves the correlated subquery.
-- weekly_symbol_venue_volume v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_volume_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_weekly_symbol_venue_volume AS t
WHERE t.calc_name = 'weekly_symbol_venue_volume' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_weekly_symbol_venue_volume AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- symbol_summary v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_summary_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_summary AS t
WHERE t.calc_name = 'symbol_summary' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_summary AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- weekly_symbol_venue_share v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_share_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_weekly_symbol_venue_share AS t
WHERE t.calc_name = 'weekly_symbol_venue_share' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_weekly_symbol_venue_share AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- venue_market_share v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_venue_share_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_venue_share AS t
WHERE t.calc_name = 'venue_market_share' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_venue_share AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- venue_concentration_hhi v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS t
WHERE t.calc_name = 'venue_concentration_hhi' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- symbol_rolling_6w v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_rolling_6w_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_rolling_6w AS t
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_rolling_6w AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- symbol_rolling_6w v2.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_rolling_6w_v2_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_rolling_6w AS t
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v2'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_rolling_6w AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- research_snapshot v1.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_research_snapshot_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_research_snapshot AS t
WHERE t.calc_name = 'research_snapshot' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_research_snapshot AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);
