-- Market Spine quarterly bundle 2026_q4 (2026-Q4), postgres: 16 migration(s), tier basic.
-- Built 2026-11-22T05:39:32.146Z from @market-spine/core 0.3.0, @market-spine/domains-finra 0.3.0; manifest.json lists the migrations and checksums.
-- Market-data database only: the migrations of @market-spine/core and @market-spine/domains-finra. @market-spine/domains-risk is not bundled: it owns the risk manager's separate SQLite state database (seeds 002/004), upgraded with `spine risk upgrade`.
-- Apply once, to a database that has the previous bundle:
--   psql "postgres://user@host/db" -f migrations/2026_q4/postgres.sql
--   (or: spine db migrate --bundle migrations/2026_q4 --db <url>)
-- It applies to current_schema(): for a database in a schema, run psql with PGOPTIONS=-csearch_path=<schema>.
-- It holds the engine's migration lock (the advisory lock spine db migrate takes) while it runs.
-- The guard refuses, before any change, a database that already has this bundle.

\set ON_ERROR_STOP on
SET TIME ZONE 'UTC';
DO $$ BEGIN PERFORM pg_advisory_lock(21328, hashtext(current_schema())); END $$;

BEGIN;
CREATE TABLE IF NOT EXISTS _migrations (
    migration_id TEXT PRIMARY KEY,
    package TEXT NOT NULL,
    package_version TEXT NOT NULL,
    tier TEXT NOT NULL,
    dialect TEXT NOT NULL,
    description TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL,
    applied_by TEXT NOT NULL,
    execution_time_ms INTEGER NOT NULL,
    success BOOLEAN NOT NULL DEFAULT TRUE,
    error_message TEXT,
    down_checksum TEXT,
    bundle TEXT,
    installed_rank INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'migrate' CHECK (kind IN ('migrate', 'baseline'))
  );
CREATE TABLE IF NOT EXISTS _migration_log (
    log_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event TEXT NOT NULL CHECK (event IN ('failed', 'rolled_back', 'repaired', 'baselined')),
    migration_id TEXT NOT NULL,
    package TEXT NOT NULL,
    package_version TEXT NOT NULL,
    dialect TEXT NOT NULL,
    checksum TEXT,
    previous_checksum TEXT,
    at TIMESTAMPTZ NOT NULL,
    by TEXT NOT NULL,
    execution_time_ms INTEGER,
    statement_line INTEGER,
    statement TEXT,
    message TEXT
  );

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM _migrations WHERE migration_id IN ('core/basic/0001_core_executions', 'core/basic/0002_core_manifest', 'core/basic/0003_core_load_records', 'core/basic/0004_core_quality_checks', 'core/basic/0005_core_anomalies', 'core/basic/0006_core_source_configs', 'domains-finra/basic/0001_captures_raw_rejects', 'domains-finra/basic/0002_weekly_symbol_venue_volume', 'domains-finra/basic/0003_symbol_summary', 'domains-finra/basic/0004_weekly_symbol_venue_share', 'domains-finra/basic/0005_venue_share', 'domains-finra/basic/0006_weekly_symbol_venue_concentration_hhi', 'domains-finra/basic/0007_symbol_rolling_6w', 'domains-finra/basic/0008_research_snapshot', 'domains-finra/basic/0009_calc_version_views', 'domains-finra/basic/0010_weekly_symbol_total')) THEN
    RAISE EXCEPTION 'bundle 2026_q4 is already applied';
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- 1/16 core/basic/0001_core_executions: core_executions: one row per pipeline execution, for lineage
-- @market-spine/core 0.3.0, basic/0001_core_executions.postgres.sql, checksum sha256 969f33992e76b1debdce0691e956b9e4bcfb3768259532a10d7743cb101ad90e
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_executions (
    execution_id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,                 -- e.g. finra.otc_transparency.week
    domain TEXT,
    partition_key TEXT,                     -- e.g. 2025-11-14|OTC
    status TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
    params JSONB,
    parent_execution_id TEXT REFERENCES core_executions (execution_id),
    batch_id TEXT,
    triggered_by TEXT NOT NULL DEFAULT 'manual',
    started_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    error_code TEXT,
    error_message TEXT
);

CREATE INDEX IF NOT EXISTS idx_core_executions_parent ON core_executions (parent_execution_id);

CREATE INDEX IF NOT EXISTS idx_core_executions_batch ON core_executions (batch_id);

CREATE INDEX IF NOT EXISTS idx_core_executions_partition ON core_executions (domain, partition_key);

CREATE INDEX IF NOT EXISTS idx_core_executions_status ON core_executions (status);

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0001_core_executions', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_executions: one row per pipeline execution, for lineage', '969f33992e76b1debdce0691e956b9e4bcfb3768259532a10d7743cb101ad90e', now(), session_user, 0, TRUE, '6e4da6109aab004759f5171af79eaf987cd0cba5ce8161fa9f8cd00aa93b9ac0', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 2/16 core/basic/0002_core_manifest: core_manifest: pipeline stages reached per (domain, partition)
-- @market-spine/core 0.3.0, basic/0002_core_manifest.postgres.sql, checksum sha256 077d7694175b1783189bf4f8493a14773d5afac004609817736ccde54f8b3ed8
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_manifest (
    domain TEXT NOT NULL,
    partition_key TEXT NOT NULL,
    stage TEXT NOT NULL,
    capture_id TEXT,
    row_count_in BIGINT CHECK (row_count_in >= 0),
    row_count_out BIGINT CHECK (row_count_out >= 0),
    row_count_rejected BIGINT CHECK (row_count_rejected >= 0),
    source_type TEXT,                       -- file | url | api
    source_locator TEXT,
    source_sha256 TEXT,
    source_bytes BIGINT CHECK (source_bytes >= 0),
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    metadata JSONB,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (domain, partition_key, stage)
);

CREATE INDEX IF NOT EXISTS idx_core_manifest_stage ON core_manifest (domain, stage);

CREATE INDEX IF NOT EXISTS idx_core_manifest_batch ON core_manifest (batch_id);

CREATE INDEX IF NOT EXISTS idx_core_manifest_capture ON core_manifest (capture_id);

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0002_core_manifest', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_manifest: pipeline stages reached per (domain, partition)', '077d7694175b1783189bf4f8493a14773d5afac004609817736ccde54f8b3ed8', now(), session_user, 0, TRUE, 'cc330a29078d6d6a6f5d8ed4ee33299cf81df52f729ba77efabbd3c703b4362e', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 3/16 core/basic/0003_core_load_records: core_load_records: one row per source file or response loaded
-- @market-spine/core 0.3.0, basic/0003_core_load_records.postgres.sql, checksum sha256 2a3ac93378343e9ed9e1b472e17f553074d7d4c0159fb4a2a39326da5fd91268
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_load_records (
    load_id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    source_type TEXT NOT NULL,              -- file | url | api
    source_locator TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source_bytes BIGINT NOT NULL CHECK (source_bytes >= 0),
    source_format TEXT,
    status TEXT NOT NULL CHECK (status IN ('LOADED', 'FAILED')),
    lines_total BIGINT NOT NULL CHECK (lines_total >= 0),
    rows_accepted BIGINT NOT NULL CHECK (rows_accepted >= 0),
    rows_rejected BIGINT NOT NULL CHECK (rows_rejected >= 0),
    partitions JSONB,                       -- JSON array of partition keys
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    error_message TEXT,
    CHECK (lines_total = rows_accepted + rows_rejected)
);

CREATE INDEX IF NOT EXISTS idx_core_load_records_sha ON core_load_records (domain, source_sha256);

CREATE INDEX IF NOT EXISTS idx_core_load_records_execution ON core_load_records (execution_id);

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0003_core_load_records', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_load_records: one row per source file or response loaded', '2a3ac93378343e9ed9e1b472e17f553074d7d4c0159fb4a2a39326da5fd91268', now(), session_user, 0, TRUE, 'a03b55aee5ad6ddcddad446bab082b82f223090c1c3116e68175e0be46d7c52a', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 4/16 core/basic/0004_core_quality_checks: core_quality_checks: every quality check result, passes included
-- @market-spine/core 0.3.0, basic/0004_core_quality_checks.postgres.sql, checksum sha256 2c0cdc0dbc1eebc68d35dd95e3fa78ed89ba2d6f2365d2ee9b4614fb06391f4c
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_quality_checks (
    check_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain TEXT NOT NULL,
    partition_key TEXT,
    pipeline TEXT NOT NULL,
    stage TEXT,
    capture_id TEXT,
    check_name TEXT NOT NULL,
    check_kind TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('INTEGRITY', 'COMPLETENESS', 'BUSINESS_RULE')),
    severity TEXT NOT NULL CHECK (severity IN ('WARN', 'FAIL')),
    status TEXT NOT NULL CHECK (status IN ('PASS', 'WARN', 'FAIL', 'ERROR')),
    check_value TEXT,
    expected_value TEXT,
    tolerance TEXT,
    message TEXT NOT NULL,
    failed_row_count BIGINT CHECK (failed_row_count >= 0),
    sample_keys JSONB,                      -- JSON array of offending keys
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    checked_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_core_quality_checks_partition ON core_quality_checks (domain, partition_key);

CREATE INDEX IF NOT EXISTS idx_core_quality_checks_status ON core_quality_checks (status);

CREATE INDEX IF NOT EXISTS idx_core_quality_checks_name ON core_quality_checks (check_name);

CREATE INDEX IF NOT EXISTS idx_core_quality_checks_execution ON core_quality_checks (execution_id);

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0004_core_quality_checks', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_quality_checks: every quality check result, passes included', '2c0cdc0dbc1eebc68d35dd95e3fa78ed89ba2d6f2365d2ee9b4614fb06391f4c', now(), session_user, 0, TRUE, '79f9624da8dcd0eaef4a96acf206ccdbf4123ff7772d04e0dbe6939095edcae1', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 5/16 core/basic/0005_core_anomalies: core_anomalies: detected anomalies awaiting review
-- @market-spine/core 0.3.0, basic/0005_core_anomalies.postgres.sql, checksum sha256 f35d88d8a2f2bd3ca958a031d6b5474b342157327dc5ef9781204f646a8c9619
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_anomalies (
    anomaly_id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    partition_key TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    category TEXT NOT NULL,
    message TEXT NOT NULL,
    details JSONB,
    execution_id TEXT,
    batch_id TEXT,
    detected_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ
);

CREATE INDEX IF NOT EXISTS idx_core_anomalies_partition ON core_anomalies (domain, partition_key);

CREATE INDEX IF NOT EXISTS idx_core_anomalies_open ON core_anomalies (severity, detected_at) WHERE resolved_at IS NULL;

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0005_core_anomalies', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_anomalies: detected anomalies awaiting review', 'f35d88d8a2f2bd3ca958a031d6b5474b342157327dc5ef9781204f646a8c9619', now(), session_user, 0, TRUE, '3125b584f0fb18f8833d3c53e98084c25737fb0c1eba1c78ac5e3e21184d4254', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 6/16 core/basic/0006_core_source_configs: core_source_configs: source configuration registry (seed 003)
-- @market-spine/core 0.3.0, basic/0006_core_source_configs.postgres.sql, checksum sha256 79e36bb9e137e947dbdd6fb6435ce514746e69ccecf47447f83865db62a7f49a
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS core_source_configs (
    source_id TEXT PRIMARY KEY,
    source_type TEXT NOT NULL,              -- file, http, database
    name TEXT NOT NULL UNIQUE,
    config JSONB NOT NULL,
    enabled BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_source_configs_type ON core_source_configs (source_type);

CREATE INDEX IF NOT EXISTS idx_source_configs_name ON core_source_configs (name);

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'core/basic/0006_core_source_configs', '@market-spine/core', '0.3.0', 'basic', 'postgres', 'core_source_configs: source configuration registry (seed 003)', '79e36bb9e137e947dbdd6fb6435ce514746e69ccecf47447f83865db62a7f49a', now(), session_user, 0, TRUE, '287789b6b8f68dad700f94688aed68cf8c78dc993cf298eb541e377b1b40371c', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 7/16 domains-finra/basic/0001_captures_raw_rejects: FINRA OTC transparency captures, raw rows and rejects
-- @market-spine/domains-finra 0.3.0, basic/0001_captures_raw_rejects.postgres.sql, checksum sha256 2deb27af81a9a097c38394d56ffc3ba954d8846dcc105436521a2f224ca3e73b
-- ---------------------------------------------------------------------------
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

CREATE INDEX IF NOT EXISTS idx_fotc_captures_latest
    ON finra_otc_transparency_captures (week_ending, tier, captured_at DESC, capture_id DESC);

CREATE INDEX IF NOT EXISTS idx_fotc_captures_load ON finra_otc_transparency_captures (load_id);

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

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0001_captures_raw_rejects', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'FINRA OTC transparency captures, raw rows and rejects', '2deb27af81a9a097c38394d56ffc3ba954d8846dcc105436521a2f224ca3e73b', now(), session_user, 0, TRUE, '86b2019195131724e8e731f55967a4816f2bd953519529a99913c14c51a48b32', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 8/16 domains-finra/basic/0002_weekly_symbol_venue_volume: finra_otc_transparency_weekly_symbol_venue_volume: normalized venue volume: one row per (week, tier, symbol, MPID) and capture
-- @market-spine/domains-finra 0.3.0, basic/0002_weekly_symbol_venue_volume.postgres.sql, checksum sha256 a326f8b20a1551499e92e6d5ad5977333d1515a0993f2d0e2974c62ffa38b736
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_volume (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    mpid TEXT NOT NULL CHECK (mpid ~ '^[A-Z0-9]{4}$'),
    issue_name TEXT,
    market_participant_name TEXT,
    total_volume BIGINT NOT NULL CHECK (total_volume >= 0),            -- shares
    trade_count BIGINT NOT NULL CHECK (trade_count >= 0),              -- trades
    source_last_update_date DATE,
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, symbol, mpid, calc_name, calc_version, capture_id)
);

CREATE INDEX IF NOT EXISTS idx_fotc_venue_vol_capture ON finra_otc_transparency_weekly_symbol_venue_volume (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_venue_vol_symbol ON finra_otc_transparency_weekly_symbol_venue_volume (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_venue_vol_latest ON finra_otc_transparency_weekly_symbol_venue_volume (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_volume_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_volume AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_volume' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_volume AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_volume' AND t.calc_version = 'v1';

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0002_weekly_symbol_venue_volume', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_weekly_symbol_venue_volume: normalized venue volume: one row per (week, tier, symbol, MPID) and capture', 'a326f8b20a1551499e92e6d5ad5977333d1515a0993f2d0e2974c62ffa38b736', now(), session_user, 0, TRUE, '98bc35e9b14b3f330c0776379962c2970118934f912a4af0c1d51a9ef5699fc6', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 9/16 domains-finra/basic/0003_symbol_summary: finra_otc_transparency_symbol_summary: per symbol and week: total volume, trades, venue count, average trade size
-- @market-spine/domains-finra 0.3.0, basic/0003_symbol_summary.postgres.sql, checksum sha256 54974f990efecb52237db599ef2dcd0871d4c65756fbd7dca3cabc51119736a5
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS finra_otc_transparency_symbol_summary (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    issue_name TEXT,
    total_volume BIGINT NOT NULL CHECK (total_volume >= 0),            -- shares
    total_trades BIGINT NOT NULL CHECK (total_trades >= 0),            -- trades
    venue_count INTEGER NOT NULL CHECK (venue_count >= 1),
    avg_trade_size DOUBLE PRECISION CHECK (avg_trade_size IS NULL OR avg_trade_size >= 0), -- shares per trade; NULL when no trades
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_capture ON finra_otc_transparency_symbol_summary (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_symbol ON finra_otc_transparency_symbol_summary (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_sum_latest ON finra_otc_transparency_symbol_summary (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_summary_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_summary AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_summary' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_summary AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_summary' AND t.calc_version = 'v1';

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0003_symbol_summary', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_symbol_summary: per symbol and week: total volume, trades, venue count, average trade size', '54974f990efecb52237db599ef2dcd0871d4c65756fbd7dca3cabc51119736a5', now(), session_user, 0, TRUE, 'ecd0349d05de6906fc6b598355c450759bd3799c77269ff805d4e92d23139922', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 10/16 domains-finra/basic/0004_weekly_symbol_venue_share: finra_otc_transparency_weekly_symbol_venue_share: each venue's share of a symbol's weekly volume (fraction 0-1) and its rank for the symbol
-- @market-spine/domains-finra 0.3.0, basic/0004_weekly_symbol_venue_share.postgres.sql, checksum sha256 43acb14d6a3247902a65391efdd9ebc5ef8d30c89bac1ca190fc80f94be24854
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_share (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    mpid TEXT NOT NULL CHECK (mpid ~ '^[A-Z0-9]{4}$'),
    venue_volume BIGINT NOT NULL CHECK (venue_volume >= 0),            -- shares
    symbol_volume BIGINT NOT NULL CHECK (symbol_volume > 0),           -- shares
    venue_share DOUBLE PRECISION NOT NULL CHECK (venue_share BETWEEN 0 AND 1), -- fraction of symbol_volume
    venue_rank INTEGER NOT NULL CHECK (venue_rank >= 1),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, symbol, mpid, calc_name, calc_version, capture_id)
);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_venue_share_capture ON finra_otc_transparency_weekly_symbol_venue_share (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_venue_share_symbol ON finra_otc_transparency_weekly_symbol_venue_share (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_venue_share_latest ON finra_otc_transparency_weekly_symbol_venue_share (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_share_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_share AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_share' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_share AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_share' AND t.calc_version = 'v1';

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0004_weekly_symbol_venue_share', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_weekly_symbol_venue_share: each venue''s share of a symbol''s weekly volume (fraction 0-1) and its rank for the symbol', '43acb14d6a3247902a65391efdd9ebc5ef8d30c89bac1ca190fc80f94be24854', now(), session_user, 0, TRUE, 'a63ba842a9f1094b63c685f4fca3bd6e2d8a1fc156e87902f4e8abdf9a8569ed', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 11/16 domains-finra/basic/0005_venue_share: finra_otc_transparency_venue_share: tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank
-- @market-spine/domains-finra 0.3.0, basic/0005_venue_share.postgres.sql, checksum sha256 d9796c1a27b869116aa500223705fa709c402c57c617c80320687f84eeae2cd5
-- ---------------------------------------------------------------------------
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

CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_capture ON finra_otc_transparency_venue_share (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_mpid ON finra_otc_transparency_venue_share (mpid, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_latest ON finra_otc_transparency_venue_share (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

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

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0005_venue_share', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_venue_share: tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank', 'd9796c1a27b869116aa500223705fa709c402c57c617c80320687f84eeae2cd5', now(), session_user, 0, TRUE, 'c69d5d0b5d81d99e015d4dc11ac5b75759040614ee061cb9cee59166a2a8f5ac', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 12/16 domains-finra/basic/0006_weekly_symbol_venue_concentration_hhi: finra_otc_transparency_weekly_symbol_venue_concentration_hhi: herfindahl-Hirschman index of venue concentration per symbol: sum of squared venue shares, 0-1
-- @market-spine/domains-finra 0.3.0, basic/0006_weekly_symbol_venue_concentration_hhi.postgres.sql, checksum sha256 76b1d7cc23b565821ccf237b2b546fc8dc0b873fc7753ed624df4c2ffc0d2aff
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS finra_otc_transparency_weekly_symbol_venue_concentration_hhi (
    week_ending DATE NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    symbol TEXT NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
    venue_count INTEGER NOT NULL CHECK (venue_count >= 1),
    total_volume BIGINT NOT NULL CHECK (total_volume > 0),             -- shares
    hhi DOUBLE PRECISION NOT NULL CHECK (hhi BETWEEN 0 AND 1),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TIMESTAMPTZ NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (week_ending, tier, symbol, calc_name, calc_version, capture_id)
);

CREATE INDEX IF NOT EXISTS idx_fotc_hhi_capture ON finra_otc_transparency_weekly_symbol_venue_concentration_hhi (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_hhi_symbol ON finra_otc_transparency_weekly_symbol_venue_concentration_hhi (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_hhi_latest ON finra_otc_transparency_weekly_symbol_venue_concentration_hhi (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'venue_concentration_hhi' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'venue_concentration_hhi' AND t.calc_version = 'v1';

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0006_weekly_symbol_venue_concentration_hhi', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_weekly_symbol_venue_concentration_hhi: herfindahl-Hirschman index of venue concentration per symbol: sum of squared venue shares, 0-1', '76b1d7cc23b565821ccf237b2b546fc8dc0b873fc7753ed624df4c2ffc0d2aff', now(), session_user, 0, TRUE, 'ebf79bcb64693caf465735c489ba2e4fd1bf7cad71eb57832f4494da7aa6f61f', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 13/16 domains-finra/basic/0007_symbol_rolling_6w: finra_otc_transparency_symbol_rolling_6w: six-week rolling averages per symbol with trend (first vs last week of the window)
-- @market-spine/domains-finra 0.3.0, basic/0007_symbol_rolling_6w.postgres.sql, checksum sha256 3667dd443e2bcffba36f93a3e060f189fd51f74e75e4e08e5050117837bee2ee
-- ---------------------------------------------------------------------------
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

CREATE INDEX IF NOT EXISTS idx_fotc_rolling_capture ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_rolling_symbol ON finra_otc_transparency_symbol_rolling_6w (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_rolling_latest ON finra_otc_transparency_symbol_rolling_6w (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

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

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0007_symbol_rolling_6w', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_symbol_rolling_6w: six-week rolling averages per symbol with trend (first vs last week of the window)', '3667dd443e2bcffba36f93a3e060f189fd51f74e75e4e08e5050117837bee2ee', now(), session_user, 0, TRUE, 'c2c8d5c579aabadf0ff8746eb7e9f752cc072fe135b96f3f1926d1b113bc246b', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 14/16 domains-finra/basic/0008_research_snapshot: finra_otc_transparency_research_snapshot: research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot)
-- @market-spine/domains-finra 0.3.0, basic/0008_research_snapshot.postgres.sql, checksum sha256 4cf968bc131c48f2790a6156ecfa3bc9efd01e15a17fb16a8f95e0599cb4fa10
-- ---------------------------------------------------------------------------
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

CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_capture ON finra_otc_transparency_research_snapshot (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_symbol ON finra_otc_transparency_research_snapshot (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_snapshot_latest ON finra_otc_transparency_research_snapshot (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

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

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0008_research_snapshot', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_research_snapshot: research-ready denormalised row per symbol and week (seed 001 otc_research_snapshot)', '4cf968bc131c48f2790a6156ecfa3bc9efd01e15a17fb16a8f95e0599cb4fa10', now(), session_user, 0, TRUE, 'e902e36de62a9e7b1754af88ed2b71af6daf62e6dcf54f0fbe8a81a7179a73e6', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 15/16 domains-finra/basic/0009_calc_version_views: finra calc version views: <table>_<version>_latest for every registered calc version, symbol_rolling_6w v1 and v2 included
-- @market-spine/domains-finra 0.3.0, basic/0009_calc_version_views.postgres.sql, checksum sha256 f47a21644ed83f24a8cf48b88ea6cec359f3bec885ebfc6ed642f01657925cab
-- ---------------------------------------------------------------------------
CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_volume_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_volume AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_volume' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_volume AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_volume' AND t.calc_version = 'v1';

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_summary_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_summary AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_summary' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_summary AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_summary' AND t.calc_version = 'v1';

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_share_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_share AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'weekly_symbol_venue_share' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_share AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'weekly_symbol_venue_share' AND t.calc_version = 'v1';

CREATE OR REPLACE VIEW finra_otc_transparency_venue_share_v1_latest AS
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

CREATE OR REPLACE VIEW finra_otc_transparency_weekly_symbol_venue_concentration_hhi_v1_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'venue_concentration_hhi' AND x.calc_version = 'v1'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_weekly_symbol_venue_concentration_hhi AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'venue_concentration_hhi' AND t.calc_version = 'v1';

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_rolling_6w_v1_latest AS
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

CREATE OR REPLACE VIEW finra_otc_transparency_symbol_rolling_6w_v2_latest AS
SELECT t.*
FROM (
    SELECT DISTINCT ON (c.week_ending, c.tier) c.capture_id
    FROM finra_otc_transparency_captures AS c
    WHERE EXISTS (
        SELECT 1 FROM finra_otc_transparency_symbol_rolling_6w AS x
        WHERE x.week_ending = c.week_ending AND x.tier = c.tier
          AND x.calc_name = 'symbol_rolling_6w' AND x.calc_version = 'v2'
          AND x.captured_at = c.captured_at AND x.capture_id = c.capture_id)
    ORDER BY c.week_ending, c.tier, c.captured_at DESC, c.capture_id DESC
) AS l
JOIN finra_otc_transparency_symbol_rolling_6w AS t ON t.capture_id = l.capture_id
WHERE t.calc_name = 'symbol_rolling_6w' AND t.calc_version = 'v2';

CREATE OR REPLACE VIEW finra_otc_transparency_research_snapshot_v1_latest AS
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

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0009_calc_version_views', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra calc version views: <table>_<version>_latest for every registered calc version, symbol_rolling_6w v1 and v2 included', 'f47a21644ed83f24a8cf48b88ea6cec359f3bec885ebfc6ed642f01657925cab', now(), session_user, 0, TRUE, 'd0c66a8ac6b004cb99d7534aa4ff3de396a50891a8d2ed4d2d4781dc70fe2d8d', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

-- ---------------------------------------------------------------------------
-- 16/16 domains-finra/basic/0010_weekly_symbol_total: finra_otc_transparency_weekly_symbol_total and _symbol_total_rolling_6w: FINRA's own weekly symbol totals (Query API ATS_W_SMBL records) with rolling 6-week metrics; captures' initialPublishedDate
-- @market-spine/domains-finra 0.3.0, basic/0010_weekly_symbol_total.postgres.sql, checksum sha256 f28414e39a7033090fd067d738ac0e356dda6d9d18420943c93fccda22e4497f
-- ---------------------------------------------------------------------------
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

CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_capture ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, capture_id);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_symbol ON finra_otc_transparency_weekly_symbol_total (symbol, week_ending, tier);

CREATE INDEX IF NOT EXISTS idx_fotc_sym_total_latest ON finra_otc_transparency_weekly_symbol_total (week_ending, tier, symbol, calc_name, calc_version, captured_at DESC, capture_id DESC);

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

ALTER TABLE finra_otc_transparency_captures ADD COLUMN IF NOT EXISTS source_initial_published_date DATE;

INSERT INTO _migrations (migration_id, package, package_version, tier, dialect, description, checksum, applied_at, applied_by, execution_time_ms, success, down_checksum, bundle, kind, installed_rank)
SELECT 'domains-finra/basic/0010_weekly_symbol_total', '@market-spine/domains-finra', '0.3.0', 'basic', 'postgres', 'finra_otc_transparency_weekly_symbol_total and _symbol_total_rolling_6w: FINRA''s own weekly symbol totals (Query API ATS_W_SMBL records) with rolling 6-week metrics; captures'' initialPublishedDate', 'f28414e39a7033090fd067d738ac0e356dda6d9d18420943c93fccda22e4497f', now(), session_user, 0, TRUE, '561d601d64de95084c3efbacaf5019e95f46c4f5e812027f9f8c9646b2d1d588', '2026_q4', 'migrate', COALESCE(MAX(installed_rank), 0) + 1
FROM _migrations;

COMMIT;
DO $$ BEGIN PERFORM pg_advisory_unlock(21328, hashtext(current_schema())); END $$;
