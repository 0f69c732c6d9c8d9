-- spine:description workflow_step_runs: step execution within workflows (seed 003)
-- PostgreSQL variant of 0004_workflow_step_runs.sql: same columns in the same order;
-- input_params, output_data and quality_metrics are JSONB, quality_passed is
-- BOOLEAN, records_processed is BIGINT, instants are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS workflow_step_runs (
    step_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    step_name TEXT NOT NULL,
    step_type TEXT NOT NULL,  -- lambda, pipeline, choice, wait, map
    step_order INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    input_params JSONB,
    output_data JSONB,
    error TEXT,
    error_category TEXT,
    records_processed BIGINT,
    quality_passed BOOLEAN,
    quality_metrics JSONB,
    FOREIGN KEY (run_id) REFERENCES workflow_runs (run_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS idx_step_runs_run ON workflow_step_runs (run_id);
CREATE INDEX IF NOT EXISTS idx_step_runs_status ON workflow_step_runs (status);
