-- spine:description core_source_configs: source configuration registry (seed 003)
-- PostgreSQL variant of 0006_core_source_configs.sql: same columns in the same order;
-- config is JSONB, enabled is BOOLEAN (the type replaces CHECK (enabled IN (0, 1))),
-- instants are TIMESTAMPTZ. No DEFAULT now(): the portable file has none either.
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
