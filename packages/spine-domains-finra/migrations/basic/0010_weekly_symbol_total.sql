-- spine:description finra_otc_transparency_weekly_symbol_total and _symbol_total_rolling_6w: FINRA's own weekly symbol totals (Query API ATS_W_SMBL records) with rolling 6-week metrics; captures' initialPublishedDate
-- FINRA Query API weeklySummary records of summary type ATS_W_SMBL: one row per
-- symbol and week holding the totals FINRA summed over every ATS. They are a
-- source grain of their own: no venue (MPID) rows come from them, so no venue
-- shares or HHI either, and they are never added to weekly_symbol_venue_volume
-- (the ATS_W_SMBL_FIRM grain of the files). They get tables of their own rather
-- than rows in symbol_summary / symbol_rolling_6w: symbol_summary.venue_count is
-- NOT NULL, which SQLite can only relax by a table rebuild (a quarterly bundle
-- cannot hold one); and those tables' *_latest views take the newest capture of a
-- whole (week, tier), while an API response usually covers a few symbols (one
-- request per symbol): here the newest capture wins per (week, tier, symbol), so
-- loading AAPL's history never hides BRK.B's, and a file capture never hides an
-- API one or the reverse.
-- Calcs registered in CALCS as weekly_symbol_total and symbol_total_rolling_6w
-- (v1); rows of several versions and captures coexist. Each gets <table>_latest
-- (current version) and <table>_v1_latest (seed 000 "Calculation Versioning",
-- as 0009 does for the other calcs).

CREATE TABLE IF NOT EXISTS finra_otc_transparency_weekly_symbol_total (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16 AND symbol NOT GLOB '*[^A-Z0-9./-]*' AND substr(symbol, 1, 1) NOT IN ('.', '/', '-')),
    summary_type_code TEXT NOT NULL CHECK (summary_type_code IN ('ATS_W_SMBL')), -- FINRA summaryTypeCode: ATS totals per symbol
    week_start_date TEXT NOT NULL CHECK (week_start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), -- FINRA weekStartDate, the Monday
    issue_name TEXT,
    product_type_code TEXT,                                            -- FINRA productTypeCode (UTP, CTS, ...)
    total_volume INTEGER NOT NULL CHECK (total_volume >= 0),           -- shares
    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),           -- trades
    avg_trade_size REAL CHECK (avg_trade_size IS NULL OR avg_trade_size >= 0), -- shares per trade; NULL when no trades
    total_notional TEXT,                                               -- USD, exact decimal string of totalNotionalSum; NULL when not sent
    initial_published_date TEXT NOT NULL CHECK (initial_published_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    source_last_update_date TEXT NOT NULL CHECK (source_last_update_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    last_reported_date TEXT CHECK (last_reported_date IS NULL OR last_reported_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    -- 1 when FINRA revised the week after publishing it (lastUpdateDate after initialPublishedDate)
    is_revision INTEGER NOT NULL CHECK (is_revision IN (0, 1) AND is_revision = (source_last_update_date > initial_published_date)),
    record_number INTEGER NOT NULL CHECK (record_number >= 1),         -- position of the record in the source file, 1-based
    record_hash TEXT NOT NULL,                                         -- sha256 of the record's JSON text as delivered
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TEXT NOT NULL,
    CHECK (week_ending = date(week_start_date, '+4 days')),
    CHECK (source_last_update_date >= initial_published_date),
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index leads
-- with (week, tier, symbol) because the *_latest views pick a capture per symbol.
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_capture ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_symbol ON finra_otc_transparency_weekly_symbol_total (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_latest ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, symbol, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version (and v1), newest capture per (week, tier, symbol); capture_id breaks captured_at ties.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_weekly_symbol_total_latest AS
SELECT t.*
FROM finra_otc_transparency_weekly_symbol_total AS t
WHERE t.calc_name = 'weekly_symbol_total' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_weekly_symbol_total AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier AND c.symbol = t.symbol
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

CREATE VIEW IF NOT EXISTS finra_otc_transparency_weekly_symbol_total_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_weekly_symbol_total AS t
WHERE t.calc_name = 'weekly_symbol_total' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_weekly_symbol_total AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier AND c.symbol = t.symbol
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- Six-week rolling averages of the symbol totals with trend (first vs last week of
-- the window), as symbol_rolling_6w computes them from venue rows. The window of a
-- symbol is its weeks with a record: an API file says nothing of weeks it was not asked for.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_total_rolling_6w (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16 AND symbol NOT GLOB '*[^A-Z0-9./-]*' AND substr(symbol, 1, 1) NOT IN ('.', '/', '-')),
    window_start TEXT NOT NULL CHECK (window_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), -- first week of the window with a record
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

CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_capture ON finra_otc_transparency_symbol_total_rolling_6w (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_symbol ON finra_otc_transparency_symbol_total_rolling_6w (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_latest ON finra_otc_transparency_symbol_total_rolling_6w (week_ending, tier, symbol, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_total_rolling_6w_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_total_rolling_6w AS t
WHERE t.calc_name = 'symbol_total_rolling_6w' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_total_rolling_6w AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier AND c.symbol = t.symbol
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

CREATE VIEW IF NOT EXISTS finra_otc_transparency_symbol_total_rolling_6w_v1_latest AS
SELECT t.*
FROM finra_otc_transparency_symbol_total_rolling_6w AS t
WHERE t.calc_name = 'symbol_total_rolling_6w' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_symbol_total_rolling_6w AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier AND c.symbol = t.symbol
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- The source clock of first publication: FINRA initialPublishedDate (the
-- earliest of the capture's records); NULL for website exports, which carry
-- only lastUpdateDate. A source_last_update_date after it means a revision.
ALTER TABLE finra_otc_transparency_captures ADD COLUMN source_initial_published_date TEXT
    CHECK (source_initial_published_date IS NULL OR source_initial_published_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]');
