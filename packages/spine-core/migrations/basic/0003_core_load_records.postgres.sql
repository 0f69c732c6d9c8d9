-- spine:description core_load_records: one row per source file or response loaded
-- PostgreSQL variant of 0003_core_load_records.sql: same columns in the same order;
-- bytes and line/row counts are BIGINT, partitions is JSONB, instants are TIMESTAMPTZ.
-- Accounting per load: lines_total = rows_accepted + rows_rejected.
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
