-- spine:description finra_otc_transparency_symbol_rolling_6w: six-week rolling averages per symbol with trend (first vs last week of the window)
-- PostgreSQL variant of 0007_symbol_rolling_6w.sql: same columns in the same
-- order, same constraints. week_ending and window_start are DATE (the type
-- enforces ISO dates and replaces their GLOB CHECKs), the averages BIGINT (the
-- pipeline rounds them to integers, calculations.ts rollingMetrics), instants
-- TIMESTAMPTZ; the GLOB symbol CHECK is the pipeline's own pattern (SYMBOL_PATTERN
-- in pipeline/normalize.ts) as a regular expression. is_complete_window is
-- BOOLEAN (the type replaces IN (0, 1); its invariant against weeks_in_window is
-- kept): the pipeline writes it as 1/0 through COPY, which BOOLEAN accepts, reads
-- it back as 1/0 (core's value parsers) and never compares it with an integer
-- in SQL (pipeline/rolling.ts, pipeline/snapshot.ts, read.ts).
-- The *_latest view picks the newest capture from the captures table (see the view).
-- Six-week rolling averages per symbol with trend (first vs last week of the window).
-- Calc registered in CALCS as symbol_rolling_6w; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_rolling_6w (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    window_start DATE NOT NULL,                                        -- first loaded week in the window
    avg_6w_volume BIGINT NOT NULL CHECK (avg_6w_volume >= 0),          -- shares per week
    avg_6w_trades BIGINT NOT NULL CHECK (avg_6w_trades >= 0),          -- trades per week
    trend_direction TEXT NOT NULL CHECK (trend_direction IN ('UP', 'DOWN', 'FLAT')),
    trend_pct TEXT,                                                    -- percent, decimal string; NULL when the first week had no volume
    weeks_in_window INTEGER NOT NULL CHECK (weeks_in_window BETWEEN 1 AND 6),
    is_complete_window BOOLEAN NOT NULL CHECK (is_complete_window = (weeks_in_window = 6)),
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
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_capture ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_symbol ON finra_otc_transparency_symbol_rolling_6w (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_latest ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
-- Same rows as the portable view, served by indexes: the newest capture per
-- (week, tier) is picked with DISTINCT ON from the small captures table (walking
-- idx_fotc_captures_latest), among the captures that have rows of this calc
-- version here (the EXISTS probe is an equality seek on every column of
-- idx_fotc_rolling_latest); this table's rows are then joined by capture_id,
-- so a filter on symbol is served by idx_fotc_rolling_symbol and one on
-- (week_ending, tier) by idx_fotc_rolling_capture. Not a DISTINCT ON over this table
-- itself: that reads all of it for every query (PostgreSQL 15 cannot push
-- a symbol filter into it). Not a join on (week_ending, tier, capture_id): the
-- planner multiplies the three correlated selectivities, estimates one row for
-- a symbol's history and then re-runs the DISTINCT ON of a LEFT JOINed *_latest
-- view for every row (read.ts symbolHistory took 8 s instead of 50 ms with
-- 4 million rows per table). Equivalent to the portable view because capture_id
-- is the captures table's key and every row carries its capture's week_ending,
-- tier and captured_at (pipeline/calc-rows.ts insertCalcRows copies them).
CREATE OR REPLACE VIEW finra_otc_transparency_symbol_rolling_6w_latest AS
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
