-- spine:description finra_otc_transparency_symbol_summary: per symbol and week: total volume, trades, venue count, average trade size
-- Per symbol and week: total volume, trades, venue count, average trade size.
-- Calc registered in CALCS as symbol_summary; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_summary (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16 AND symbol NOT GLOB '*[^A-Z0-9./-]*' AND substr(symbol, 1, 1) NOT IN ('.', '/', '-')),
    issue_name TEXT,
    total_volume INTEGER NOT NULL CHECK (total_volume >= 0),           -- shares
    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),           -- trades
    venue_count INTEGER NOT NULL CHECK (venue_count >= 1),
    avg_trade_size REAL CHECK (avg_trade_size IS NULL OR avg_trade_size >= 0), -- shares per trade; NULL when no trades
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
CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_capture ON finra_otc_transparency_symbol_summary (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_symbol ON finra_otc_transparency_symbol_summary (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_latest ON finra_otc_transparency_symbol_summary (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_summary_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_summary AS t
WHERE t.calc_name = 'symbol_summary' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_summary AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);
