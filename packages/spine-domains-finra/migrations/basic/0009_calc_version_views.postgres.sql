-- spine:description finra calc version views: <table>_<version>_latest for every registered calc version, symbol_rolling_6w v1 and v2 included
-- PostgreSQL variant of 0009_calc_version_views.sql.
-- Seed 000 "Calculation Versioning", strategy 1: the versions of a calculation
-- share its table, told apart by calc_version. Each registered version (CALCS in
-- src/calcs.ts) gets a view of its own rows, newest capture per (week, tier),
-- named <table>_<version>_latest. <table>_latest keeps showing the current
-- version; every current version is still v1, so the *_latest views of
-- 0002-0008 stay as they are. A release that makes another version current
-- drops and re-creates <table>_latest naming it, in a migration of its own.
-- New here: symbol_rolling_6w v2 (trend of the last week against the mean of
-- the window's earlier weeks; CALCS version_notes say why), written beside v1.
-- The bodies are those of the PostgreSQL *_latest views with the version named
-- (0002's comment explains the shape: the newest capture per (week, tier) picked
-- with DISTINCT ON from the captures table among the captures that have rows of
-- this version, then this table's rows joined by capture_id, so that filters on
-- symbol or (week_ending, tier) are served by the table's indexes).
-- finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest is 70
-- bytes; PostgreSQL truncates names to 63 bytes, so it is stored as
-- finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1, with a NOTICE,
-- and queries by the full name reach it. The CALCS registry refuses versions whose
-- views would share a truncated name (e.g. that table's v10 and v1).
-- weekly_symbol_venue_volume v1.
CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_volume_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_volume AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_volume' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_volume AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_volume' AND t.calc_version = 'v1';

-- symbol_summary v1.
CREATE OR REPLACE VIEW finra_otc_transparency_symbol_summary_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_summary AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_summary' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_summary AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_summary' AND t.calc_version = 'v1';

-- weekly_symbol_venue_share v1.
CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_share_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_share AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_share' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_share AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_share' AND t.calc_version = 'v1';

-- venue_market_share v1.
CREATE OR REPLACE VIEW finra_otc_transparency_venue_share_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_venue_share AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'venue_market_share' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_venue_share AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'venue_market_share' AND t.calc_version = 'v1';

-- venue_concentration_hhi v1.
CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'venue_concentration_hhi' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'venue_concentration_hhi' AND t.calc_version = 'v1';

-- symbol_rolling_6w v1.
CREATE OR REPLACE VIEW finra_otc_transparency_symbol_rolling_6w_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_rolling_6w AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_rolling_6w' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_rolling_6w AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v1';

-- symbol_rolling_6w v2.
CREATE OR REPLACE VIEW finra_otc_transparency_symbol_rolling_6w_v2_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_rolling_6w AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_rolling_6w' AND x.calc_version = 'v2'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_rolling_6w AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v2';

-- research_snapshot v1.
CREATE OR REPLACE VIEW finra_otc_transparency_research_snapshot_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_research_snapshot AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'research_snapshot' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_research_snapshot AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'research_snapshot' AND t.calc_version = 'v1';
