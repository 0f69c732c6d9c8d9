-- spine:description core_executions: one row per pipeline execution, for lineage
-- PostgreSQL variant of 0001_core_executions.sql: same columns in the same order;
-- params is JSONB and the instants are TIMESTAMPTZ.
-- Executions form a tree (a batch run is the parent of its per-partition runs);
-- every row a pipeline writes carries its execution_id and batch_id.
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
