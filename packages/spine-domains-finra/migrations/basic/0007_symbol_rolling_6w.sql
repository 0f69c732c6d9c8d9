-- spine:description finra_otc_transparency_symbol_rolling_6w: six-week rolling averages per symbol with trend (first vs last week of the window)
-- Six-week rolling averages per symbol with trend (first vs last week of the window).
-- Calc registered in CALCS as symbol_rolling_6w; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_rolling_6w (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16 AND symbol NOT GLOB '*[^A-Z0-9./-]*' AND substr(symbol, 1, 1) NOT IN ('.', '/', '-')),
    window_start TEXT NOT NULL CHECK (window_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), -- first loaded week in the window
    avg_6w_volume INTEGER NOT NULL CHECK (avg_6w_volume >= 0),         -- shares per week
    avg_6w_trades INTEGER NOT NULL CHECK (avg_6w_trades >= 0),         -- trades per week
    trend_direction TEXT NOT NULL CHECK (trend_direction IN ('UP', 'DOWN', 'FLAT')),
    trend_pct TEXT,                                                    -- percent, decimal string; NULL when the first week had no volume
    weeks_in_window INTEGER NOT NULL CHECK (weeks_in_window BETWEEN 1 AND 6),
    is_complete_window INTEGER NOT NULL CHECK (is_complete_window IN (0, 1) AND is_complete_window = (weeks_in_window = 6)),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TEXT NOT NULL,
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_latest views seek instead of scanning.
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_capture ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_symbol ON finra_otc_transparency_symbol_rolling_6w (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_rolling_latest ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_rolling_6w_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_rolling_6w AS t
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_rolling_6w AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);
