-- spine:description core_manifest: pipeline stages reached per (domain, partition)
-- PostgreSQL variant of 0002_core_manifest.sql: same columns in the same order;
-- counts and bytes are BIGINT, metadata is JSONB, updated_at is TIMESTAMPTZ.
-- One row per (domain, partition_key, stage): the last capture that reached the
-- stage, its row counts, its source and its lineage (seed 001 week manifest,
-- generalised across domains).
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
