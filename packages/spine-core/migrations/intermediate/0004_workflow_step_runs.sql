-- spine:description workflow_step_runs: step execution within workflows (seed 003)
CREATE TABLE IF NOT EXISTS workflow_step_runs (
    step_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    step_name TEXT NOT NULL,
    step_type TEXT NOT NULL,  -- lambda, pipeline, choice, wait, map
    step_order INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    input_params TEXT,  -- JSON
    output_data TEXT,  -- JSON
    error TEXT,
    error_category TEXT,
    records_processed INTEGER,
    quality_passed INTEGER,
    quality_metrics TEXT,  -- JSON
    FOREIGN KEY (run_id) REFERENCES workflow_runs (run_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS idx_step_runs_run ON workflow_step_runs (run_id);
CREATE INDEX IF NOT EXISTS idx_step_runs_status ON workflow_step_runs (status);
