-- spine:description finra_otc_transparency_research_snapshot: research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot)
-- Research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot).
-- Calc registered in CALCS as research_snapshot; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_research_snapshot (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16 AND symbol NOT GLOB '*[^A-Z0-9./-]*' AND substr(symbol, 1, 1) NOT IN ('.', '/', '-')),
    total_volume INTEGER NOT NULL CHECK (total_volume >= 0),           -- shares
    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),           -- trades
    venue_count INTEGER NOT NULL CHECK (venue_count >= 1),
    top_venue_mpid TEXT,
    top_venue_share_pct TEXT,                                          -- percent 0-100, decimal string
    avg_trade_size TEXT,                                               -- shares per trade, decimal string
    hhi REAL CHECK (hhi IS NULL OR hhi BETWEEN 0 AND 1),
    rolling_avg_6w_volume INTEGER,
    rolling_avg_6w_trades INTEGER,
    rolling_trend_direction TEXT CHECK (rolling_trend_direction IS NULL OR rolling_trend_direction IN ('UP', 'DOWN', 'FLAT')),
    rolling_weeks_available INTEGER,
    rolling_is_complete INTEGER CHECK (rolling_is_complete IS NULL OR rolling_is_complete IN (0, 1)),
    has_rolling_data INTEGER NOT NULL CHECK (has_rolling_data IN (0, 1)),
    quality_status TEXT CHECK (quality_status IS NULL OR quality_status IN ('PASS', 'WARN', 'FAIL')),
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
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_capture ON finra_otc_transparency_research_snapshot (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_symbol ON finra_otc_transparency_research_snapshot (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_latest ON finra_otc_transparency_research_snapshot (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_research_snapshot_latest AS
SELECT t.*
FROM finra_otc_transparency_research_snapshot AS t
WHERE t.calc_name = 'research_snapshot' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_research_snapshot AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);
