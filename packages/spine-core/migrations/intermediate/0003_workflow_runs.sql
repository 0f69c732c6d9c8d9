-- spine:description workflow_runs: workflow execution history (seed 003)
CREATE TABLE IF NOT EXISTS workflow_runs (
    run_id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    domain TEXT,
    partition_key TEXT,
    status TEXT NOT NULL,  -- PENDING, RUNNING, COMPLETED, FAILED, CANCELLED
    started_at TEXT,
    completed_at TEXT,
    params TEXT,  -- JSON
    outputs TEXT,  -- JSON
    error TEXT,
    error_category TEXT,
    metrics TEXT,  -- JSON
    triggered_by TEXT NOT NULL,  -- manual, schedule, api
    created_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_workflow_runs_name ON workflow_runs (workflow_name);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_status ON workflow_runs (status);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_domain ON workflow_runs (domain);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_started ON workflow_runs (started_at);
CREATE INDEX IF NOT EXISTS idx_workflow_runs_created ON workflow_runs (created_at);
