-- spine:description core_source_configs: source configuration registry (seed 003)
CREATE TABLE IF NOT EXISTS core_source_configs (
    source_id TEXT PRIMARY KEY,
    source_type TEXT NOT NULL,              -- file, http, database
    name TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL,                   -- JSON configuration
    enabled INTEGER DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_source_configs_type ON core_source_configs (source_type);
CREATE INDEX IF NOT EXISTS idx_source_configs_name ON core_source_configs (name);
