-- spine:description FINRA OTC transparency captures, raw rows and rejects
-- PostgreSQL variant of 0001_captures_raw_rejects.sql: same columns in the same
-- order, same constraints. Business dates (week_ending, source_last_update_date)
-- are DATE, which enforces ISO dates and replaces the GLOB CHECKs (the pipeline
-- writes only validated YYYY-MM-DD dates or NULL there, week.ts parseIsoDate);
-- instants (captured_at, created_at) are TIMESTAMPTZ; share/trade quantities,
-- bytes and line counts are BIGINT. reject_id is GENERATED ALWAYS AS IDENTITY:
-- the pipeline never supplies it (REJECT_COLUMNS in pipeline/ingest.ts).
-- source_week_ending stays TEXT: it is the value as written in the file.
-- raw_latest picks the newest capture from the captures table instead of the
-- raw table (see the view).
-- Three clocks (seed 000): week_ending is business time, source_last_update_date
-- is FINRA's lastUpdateDate, captured_at/capture_id is when we ingested.

-- One row per (week, tier) content ingested from one source file. A new file
-- for a loaded (week, tier) is a new capture beside the old one.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_captures (
    capture_id TEXT PRIMARY KEY,
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    week_ending_source TEXT NOT NULL CHECK (week_ending_source IN ('derived', 'override', 'file')),
    load_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source_locator TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source_bytes BIGINT NOT NULL CHECK (source_bytes >= 0),
    source_format TEXT NOT NULL,
    source_last_update_date DATE,
    lines_total BIGINT NOT NULL CHECK (lines_total >= 0),
    -- Furthest stage this capture reached; core_manifest keeps only the latest capture per stage.
    stage TEXT NOT NULL DEFAULT 'INGESTED' CHECK (stage IN ('INGESTED', 'NORMALIZED', 'AGGREGATED', 'ROLLING', 'SNAPSHOT')),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    UNIQUE (week_ending, tier, source_sha256)
);

-- Serves the DISTINCT ON of every *_latest view (newest capture per (week, tier)).
CREATE INDEX IF NOT EXISTS idx_fotc_captures_latest
    ON finra_otc_transparency_captures (week_ending, tier, captured_at DESC, capture_id DESC);
CREATE INDEX IF NOT EXISTS idx_fotc_captures_load ON finra_otc_transparency_captures (load_id);

-- Source rows as delivered, one per accepted input line. Numbers are parsed;
-- nothing else is cleaned (that is the normalize stage's job).
CREATE TABLE IF NOT EXISTS finra_otc_transparency_raw (
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    load_id TEXT NOT NULL,
    line_number BIGINT NOT NULL CHECK (line_number >= 1),
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    source_tier TEXT,                       -- tierDescription / Tier as written
    source_week_ending TEXT,                -- WeekEnding as written (6-column form)
    symbol TEXT NOT NULL,
    issue_name TEXT,
    market_participant_name TEXT,
    mpid TEXT NOT NULL,
    total_weekly_share_quantity BIGINT NOT NULL,
    total_weekly_trade_count BIGINT NOT NULL,
    source_last_update_date DATE,
    raw_line TEXT NOT NULL,                 -- the line as delivered, for rejects at later stages
    record_hash TEXT NOT NULL,              -- sha256 of the raw line
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    UNIQUE (capture_id, line_number)
);

CREATE INDEX IF NOT EXISTS idx_fotc_raw_capture ON finra_otc_transparency_raw (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_symbol ON finra_otc_transparency_raw (symbol, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_latest ON finra_otc_transparency_raw (week_ending, tier, captured_at DESC, capture_id DESC);
CREATE INDEX IF NOT EXISTS idx_fotc_raw_hash ON finra_otc_transparency_raw (record_hash);

-- Rows of the newest capture per (week, tier); capture_id breaks captured_at ties.
-- Same rows as the portable view, served by indexes: the newest capture per
-- (week, tier) is picked with DISTINCT ON from the small captures table (walking
-- idx_fotc_captures_latest), among the captures that have rows here (the EXISTS
-- probe is an equality seek on idx_fotc_raw_capture); this table's rows are then
-- joined by capture_id, so a filter on symbol is served by idx_fotc_raw_symbol
-- and one on (week_ending, tier) by idx_fotc_raw_capture. Not a DISTINCT ON over
-- this table itself: that reads all of it for every query (PostgreSQL 15 cannot
-- push a symbol filter into it). Not a join on (week_ending, tier, capture_id):
-- the planner multiplies the three correlated selectivities and underestimates
-- a symbol's rows (see 0002). Equivalent to the portable view because capture_id
-- is the captures table's key and every raw row carries its capture's
-- week_ending, tier and captured_at (pipeline/ingest.ts writeLoad).
CREATE OR REPLACE VIEW finra_otc_transparency_raw_latest AS
SELECT r.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_raw AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_raw AS r ON r.capture_id = l.capture_id;

-- Every input line that did not become a row, with where and why (seed 001
-- "Rejection Reason Codes"). capture_id is NULL when the line could not be
-- assigned to a (week, tier), e.g. an invalid WeekEnding (week_ending is then
-- NULL too: only valid dates are ever stored in it).
CREATE TABLE IF NOT EXISTS finra_otc_transparency_rejects (
    reject_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    load_id TEXT NOT NULL,
    capture_id TEXT REFERENCES finra_otc_transparency_captures (capture_id),
    week_ending DATE,
    tier TEXT,
    source_locator TEXT NOT NULL,
    line_number BIGINT NOT NULL CHECK (line_number >= 1),
    raw_line TEXT NOT NULL,
    raw_record_hash TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('INGEST', 'NORMALIZE', 'AGGREGATE')),
    reason_code TEXT NOT NULL CHECK (reason_code IN (
        'PARSE_ERROR', 'INVALID_DATE', 'NOT_FRIDAY', 'INVALID_TIER', 'NEGATIVE_VOLUME',
        'NEGATIVE_TRADES', 'ZERO_VOLUME', 'INVALID_SYMBOL', 'INVALID_MPID', 'DUPLICATE_KEY')),
    reason_detail TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_fotc_rejects_week ON finra_otc_transparency_rejects (week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_reason ON finra_otc_transparency_rejects (reason_code);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_capture ON finra_otc_transparency_rejects (capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_rejects_load ON finra_otc_transparency_rejects (load_id);
