-- spine:description scheduler_runs: scheduler execution history (seed 003)
-- PostgreSQL variant of 0002_scheduler_runs.sql: same columns in the same order;
-- result is JSONB, instants are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS scheduler_runs (
    run_id TEXT PRIMARY KEY,
    schedule_name TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    status TEXT NOT NULL,  -- pending, running, completed, failed, skipped
    scheduled_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    error TEXT,
    result JSONB,
    FOREIGN KEY (schedule_name) REFERENCES scheduler_schedules (name)
);

CREATE INDEX IF NOT EXISTS idx_scheduler_runs_schedule ON scheduler_runs (schedule_name);
CREATE INDEX IF NOT EXISTS idx_scheduler_runs_status ON scheduler_runs (status);
CREATE INDEX IF NOT EXISTS idx_scheduler_runs_scheduled_at ON scheduler_runs (scheduled_at);
