-- spine:description finra_otc_transparency_research_snapshot: research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot)
-- PostgreSQL variant of 0008_research_snapshot.sql: same columns in the same
-- order, same constraints. week_ending is DATE (the type enforces ISO dates and
-- replaces its GLOB CHECK), shares and trades BIGINT, hhi DOUBLE PRECISION (SQLite
-- REAL is an 8-byte float; PostgreSQL REAL is float4 and would change the
-- figures), instants TIMESTAMPTZ; the GLOB symbol CHECK is the pipeline's own
-- pattern (SYMBOL_PATTERN in pipeline/normalize.ts) as a regular expression.
-- Decimal strings stay TEXT. rolling_is_complete and has_rolling_data are BOOLEAN
-- (the type replaces IN (0, 1)): the pipeline writes them as 1/0 through COPY,
-- which BOOLEAN accepts, and never compares them with an integer in SQL
-- (pipeline/snapshot.ts, read.ts).
-- The *_latest view picks the newest capture from the captures table (see the view).
-- Research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot).
-- Calc registered in CALCS as research_snapshot; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_research_snapshot (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    total_volume BIGINT NOT NULL CHECK (total_volume >= 0),            -- shares
    total_trades BIGINT NOT NULL CHECK (total_trades >= 0),            -- trades
    venue_count INTEGER NOT NULL CHECK (venue_count >= 1),
    top_venue_mpid TEXT,
    top_venue_share_pct TEXT,                                          -- percent 0-100, decimal string
    avg_trade_size TEXT,                                               -- shares per trade, decimal string
    hhi DOUBLE PRECISION CHECK (hhi IS NULL OR hhi BETWEEN 0 AND 1),
    rolling_avg_6w_volume BIGINT,
    rolling_avg_6w_trades BIGINT,
    rolling_trend_direction TEXT CHECK (rolling_trend_direction IS NULL OR rolling_trend_direction IN ('UP', 'DOWN', 'FLAT')),
    rolling_weeks_available INTEGER,
    rolling_is_complete BOOLEAN,
    has_rolling_data BOOLEAN NOT NULL,
    quality_status TEXT CHECK (quality_status IS NULL OR quality_status IN ('PASS', 'WARN', 'FAIL')),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_latest views seek instead of scanning.
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_capture ON finra_otc_transparency_research_snapshot (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_symbol ON finra_otc_transparency_research_snapshot (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_latest ON finra_otc_transparency_research_snapshot (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
-- Same rows as the portable view, served by indexes: the newest capture per
-- (week, tier) is picked with DISTINCT ON from the small captures table (walking
-- idx_fotc_captures_latest), among the captures that have rows of this calc
-- version here (the EXISTS probe is an equality seek on every column of
-- idx_fotc_snapshot_latest); this table's rows are then joined by capture_id,
-- so a filter on symbol is served by idx_fotc_snapshot_symbol and one on
-- (week_ending, tier) by idx_fotc_snapshot_capture. Not a DISTINCT ON over this table
-- itself: that reads all of it for every query (PostgreSQL 15 cannot push
-- a symbol filter into it). Not a join on (week_ending, tier, capture_id): the
-- planner multiplies the three correlated selectivities, estimates one row for
-- a symbol's history and then re-runs the DISTINCT ON of a LEFT JOINed *_latest
-- view for every row (read.ts symbolHistory took 8 s instead of 50 ms with
-- 4 million rows per table). Equivalent to the portable view because capture_id
-- is the captures table's key and every row carries its capture's week_ending,
-- tier and captured_at (pipeline/calc-rows.ts insertCalcRows copies them).
CREATE OR REPLACE VIEW finra_otc_transparency_research_snapshot_latest AS
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
