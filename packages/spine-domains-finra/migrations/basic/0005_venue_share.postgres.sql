-- spine:description finra_otc_transparency_venue_share: tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank
-- PostgreSQL variant of 0005_venue_share.sql: same columns in the same order,
-- same constraints. week_ending is DATE (the type enforces ISO dates and replaces
-- its GLOB CHECK), shares and trades BIGINT, market_share DOUBLE PRECISION (SQLite
-- REAL is an 8-byte float; PostgreSQL REAL is float4 and would change the figures),
-- instants TIMESTAMPTZ; the GLOB MPID CHECK is the pipeline's own pattern
-- (MPID_PATTERN in pipeline/normalize.ts) as a regular expression.
-- The *_latest view picks the newest capture from the captures table (see the view).
-- Tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank.
-- Calc registered in CALCS as venue_market_share; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_venue_share (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    mpid TEXT NOT NULL CHECK (mpid ~ '^[A-Z0-9]{4}$'),
    market_participant_name TEXT,
    total_volume BIGINT NOT NULL CHECK (total_volume >= 0),            -- shares
    total_trades BIGINT NOT NULL CHECK (total_trades >= 0),            -- trades
    symbol_count INTEGER NOT NULL CHECK (symbol_count >= 1),
    market_share DOUBLE PRECISION NOT NULL CHECK (market_share BETWEEN 0 AND 1), -- fraction of the tier's weekly volume
    rank INTEGER NOT NULL CHECK (rank >= 1),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, mpid, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_latest views seek instead of scanning.
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_capture ON finra_otc_transparency_venue_share (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_mpid ON finra_otc_transparency_venue_share (mpid, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_latest ON finra_otc_transparency_venue_share (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
-- Same rows as the portable view, served by indexes: the newest capture per
-- (week, tier) is picked with DISTINCT ON from the small captures table (walking
-- idx_fotc_captures_latest), among the captures that have rows of this calc
-- version here (the EXISTS probe is an equality seek on every column of
-- idx_fotc_venue_share_latest); this table's rows are then joined by capture_id,
-- so a filter on mpid is served by idx_fotc_venue_share_mpid and one on
-- (week_ending, tier) by idx_fotc_venue_share_capture. Not a DISTINCT ON over this table
-- itself: that reads all of it for every query (PostgreSQL 15 cannot push
-- an mpid filter into it). Not a join on (week_ending, tier, capture_id): the
-- planner multiplies the three correlated selectivities, estimates one row for
-- an mpid's history and then re-runs the DISTINCT ON of a LEFT JOINed *_latest
-- view for every row (read.ts symbolHistory took 8 s instead of 50 ms with
-- 4 million rows per table). Equivalent to the portable view because capture_id
-- is the captures table's key and every row carries its capture's week_ending,
-- tier and captured_at (pipeline/calc-rows.ts insertCalcRows copies them).
CREATE OR REPLACE VIEW finra_otc_transparency_venue_share_latest AS
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
