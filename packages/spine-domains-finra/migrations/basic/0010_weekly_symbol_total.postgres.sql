-- spine:description finra_otc_transparency_weekly_symbol_total and _symbol_total_rolling_6w: FINRA's own weekly symbol totals (Query API ATS_W_SMBL records) with rolling 6-week metrics; captures' initialPublishedDate
-- PostgreSQL variant of 0010_weekly_symbol_total.sql: same columns in the same
-- order, same constraints. Business dates are DATE (the type enforces ISO dates
-- and replaces the GLOB CHECKs), shares and trades BIGINT, avg_trade_size DOUBLE
-- PRECISION, instants TIMESTAMPTZ; the GLOB symbol CHECK is the pipeline's own
-- pattern (SYMBOL_PATTERN in pipeline/normalize.ts) as a regular expression.
-- is_revision and is_complete_window are BOOLEAN (the pipeline writes 1/0
-- through COPY and reads 1/0 back, as 0007 explains). total_notional stays
-- TEXT: an exact decimal string on every dialect.
-- The *_latest views take the newest capture per (week, tier, symbol) with
-- DISTINCT ON over the table itself: symbol is one of its keys, so a filter on
-- symbol is pushed into it and served by the table's indexes.
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
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    summary_type_code TEXT NOT NULL CHECK (summary_type_code IN ('ATS_W_SMBL')), -- FINRA summaryTypeCode: ATS totals per symbol
    week_start_date DATE NOT NULL,                                     -- FINRA weekStartDate, the Monday
    issue_name TEXT,
    product_type_code TEXT,                                            -- FINRA productTypeCode (UTP, CTS, ...)
    total_volume BIGINT NOT NULL CHECK (total_volume >= 0),            -- shares
    total_trades BIGINT NOT NULL CHECK (total_trades >= 0),            -- trades
    avg_trade_size DOUBLE PRECISION CHECK (avg_trade_size IS NULL OR avg_trade_size >= 0), -- shares per trade; NULL when no trades
    total_notional TEXT,                                               -- USD, exact decimal string of totalNotionalSum; NULL when not sent
    initial_published_date DATE NOT NULL,
    source_last_update_date DATE NOT NULL,
    last_reported_date DATE,
    -- true when FINRA revised the week after publishing it (lastUpdateDate after initialPublishedDate)
    is_revision BOOLEAN NOT NULL CHECK (is_revision = (source_last_update_date > initial_published_date)),
    record_number BIGINT NOT NULL CHECK (record_number >= 1),          -- position of the record in the source file, 1-based
    record_hash TEXT NOT NULL,                                         -- sha256 of the record's JSON text as delivered
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    CHECK (week_ending = week_start_date + 4),
    CHECK (source_last_update_date >= initial_published_date),
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index leads
-- with (week, tier, symbol) because the *_latest views pick a capture per symbol.
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_capture ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_symbol ON finra_otc_transparency_weekly_symbol_total (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_latest ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, symbol, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version (and v1), newest capture per (week, tier, symbol); capture_id breaks captured_at ties.
CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_total_latest AS
SELECT DISTINCT ON (t.week_ending, t.tier, t.symbol) t.*
FROM finra_otc_transparency_weekly_symbol_total AS t
WHERE t.calc_name = 'weekly_symbol_total' AND t.calc_version = 'v1'
ORDER BY t.week_ending, t.tier, t.symbol, t.captured_at DESC, t.capture_id DESC;

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_total_v1_latest AS
SELECT DISTINCT ON (t.week_ending, t.tier, t.symbol) t.*
FROM finra_otc_transparency_weekly_symbol_total AS t
WHERE t.calc_name = 'weekly_symbol_total' AND t.calc_version = 'v1'
ORDER BY t.week_ending, t.tier, t.symbol, t.captured_at DESC, t.capture_id DESC;

-- Six-week rolling averages of the symbol totals with trend (first vs last week of
-- the window), as symbol_rolling_6w computes them from venue rows. The window of a
-- symbol is its weeks with a record: an API file says nothing of weeks it was not asked for.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_total_rolling_6w (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    window_start DATE NOT NULL,                                        -- first week of the window with a record
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

CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_capture ON finra_otc_transparency_symbol_total_rolling_6w (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_symbol ON finra_otc_transparency_symbol_total_rolling_6w (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_total_rolling_latest ON finra_otc_transparency_symbol_total_rolling_6w (week_ending, tier, symbol, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_total_rolling_6w_latest AS
SELECT DISTINCT ON (t.week_ending, t.tier, t.symbol) t.*
FROM finra_otc_transparency_symbol_total_rolling_6w AS t
WHERE t.calc_name = 'symbol_total_rolling_6w' AND t.calc_version = 'v1'
ORDER BY t.week_ending, t.tier, t.symbol, t.captured_at DESC, t.capture_id DESC;

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_total_rolling_6w_v1_latest AS
SELECT DISTINCT ON (t.week_ending, t.tier, t.symbol) t.*
FROM finra_otc_transparency_symbol_total_rolling_6w AS t
WHERE t.calc_name = 'symbol_total_rolling_6w' AND t.calc_version = 'v1'
ORDER BY t.week_ending, t.tier, t.symbol, t.captured_at DESC, t.capture_id DESC;

-- The source clock of first publication: FINRA initialPublishedDate (the
-- earliest of the capture's records); NULL for website exports, which carry
-- only lastUpdateDate. A source_last_update_date after it means a revision.
ALTER TABLE finra_otc_transparency_captures ADD COLUMN IF NOT EXISTS source_initial_published_date DATE;
