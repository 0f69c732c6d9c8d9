-- spine:description workflow_runs: workflow execution history (seed 003)
-- PostgreSQL variant of 0003_workflow_runs.sql: same columns in the same order;
-- params, outputs and metrics are JSONB, instants are TIMESTAMPTZ (seed 003
-- "PostgreSQL-Specific Schema", written as the table's definition instead of
-- ALTER ... TYPE afterwards). The GIN index on params is 0006, the partitioned
-- copy 0007 (both PostgreSQL only).
CREATE TABLE IF NOT EXISTS workflow_runs (
    run_id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    domain TEXT,
    partition_key TEXT,
    status TEXT NOT NULL,  -- PENDING, RUNNING, COMPLETED, FAILED, CANCELLED
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    params JSONB,
    outputs JSONB,
    error TEXT,
    error_category TEXT,
    metrics JSONB,
    triggered_by TEXT NOT NULL,  -- manual, schedule, api
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_workflow_runs_name ON workflow_runs (workflow_name);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_status ON workflow_runs (status);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_domain ON workflow_runs (domain);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_started ON workflow_runs (started_at);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_created ON workflow_runs (created_at);
