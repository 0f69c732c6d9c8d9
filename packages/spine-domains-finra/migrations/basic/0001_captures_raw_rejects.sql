-- spine:description FINRA OTC transparency captures, raw rows and rejects
-- Three clocks (seed 000): week_ending is business time, source_last_update_date
-- is FINRA's lastUpdateDate, captured_at/capture_id is when we ingested.

-- One row per (week, tier) content ingested from one source file. A new file
-- for a loaded (week, tier) is a new capture beside the old one.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_captures (
    capture_id TEXT PRIMARY KEY,
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    week_ending_source TEXT NOT NULL CHECK (week_ending_source IN ('derived', 'override', 'file')),
    load_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source_locator TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source_bytes INTEGER NOT NULL CHECK (source_bytes >= 0),
    source_format TEXT NOT NULL,
    source_last_update_date TEXT,
    lines_total INTEGER NOT NULL CHECK (lines_total >= 0),
    -- Furthest stage this capture reached; core_manifest keeps only the latest capture per stage.
    stage TEXT NOT NULL DEFAULT 'INGESTED' CHECK (stage IN ('INGESTED', 'NORMALIZED', 'AGGREGATED', 'ROLLING', 'SNAPSHOT')),
    captured_at TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    UNIQUE (week_ending, tier, source_sha256)
);

CREATE INDEX IF NOT EXISTS idx_fotc_captures_latest
    ON finra_otc_transparency_captures (week_ending, tier, captured_at DESC, capture_id DESC);
CREATE INDEX IF NOT EXISTS idx_fotc_captures_load ON finra_otc_transparency_captures (load_id);

-- Source rows as delivered, one per accepted input line. Numbers are parsed;
-- nothing else is cleaned (that is the normalize stage's job).
CREATE TABLE IF NOT EXISTS finra_otc_transparency_raw (
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    load_id TEXT NOT NULL,
    line_number INTEGER NOT NULL CHECK (line_number >= 1),
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    source_tier TEXT,                       -- tierDescription / Tier as written
    source_week_ending TEXT,                -- WeekEnding as written (6-column form)
    symbol TEXT NOT NULL,
    issue_name TEXT,
    market_participant_name TEXT,
    mpid TEXT NOT NULL,
    total_weekly_share_quantity INTEGER NOT NULL,
    total_weekly_trade_count INTEGER NOT NULL,
    source_last_update_date TEXT,
    raw_line TEXT NOT NULL,                 -- the line as delivered, for rejects at later stages
    record_hash TEXT NOT NULL,              -- sha256 of the raw line
    captured_at TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    UNIQUE (capture_id, line_number)
);

CREATE INDEX IF NOT EXISTS idx_fotc_raw_capture ON finra_otc_transparency_raw (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_symbol ON finra_otc_transparency_raw (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_latest ON finra_otc_transparency_raw (week_ending, tier, captured_at DESC, capture_id DESC);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_hash ON finra_otc_transparency_raw (record_hash);

CREATE VIEW IF NOT EXISTS finra_otc_transparency_raw_latest AS
SELECT r.*
FROM finra_otc_transparency_raw AS r
WHERE r.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_raw AS c
    WHERE c.week_ending = r.week_ending AND c.tier = r.tier
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);

-- Every input line that did not become a row, with where and why (seed 001
-- "Rejection Reason Codes"). capture_id is NULL when the line could not be
-- assigned to a (week, tier), e.g. an invalid WeekEnding.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_rejects (
    reject_id INTEGER PRIMARY KEY AUTOINCREMENT,
    load_id TEXT NOT NULL,
    capture_id TEXT REFERENCES finra_otc_transparency_captures (capture_id),
    week_ending TEXT,
    tier TEXT,
    source_locator TEXT NOT NULL,
    line_number INTEGER NOT NULL CHECK (line_number >= 1),
    raw_line TEXT NOT NULL,
    raw_record_hash TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('INGEST', 'NORMALIZE', 'AGGREGATE')),
    reason_code TEXT NOT NULL CHECK (reason_code IN (
        'PARSE_ERROR', 'INVALID_DATE', 'NOT_FRIDAY', 'INVALID_TIER', 'NEGATIVE_VOLUME',
        'NEGATIVE_TRADES', 'ZERO_VOLUME', 'INVALID_SYMBOL', 'INVALID_MPID', 'DUPLICATE_KEY')),
    reason_detail TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_fotc_rejects_week ON finra_otc_transparency_rejects (week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_reason ON finra_otc_transparency_rejects (reason_code);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_capture ON finra_otc_transparency_rejects (capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_load ON finra_otc_transparency_rejects (load_id);
