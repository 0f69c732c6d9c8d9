-- spine:description scheduler_schedules: scheduler configuration (seed 003)
-- PostgreSQL variant of 0001_scheduler_schedules.sql: same columns in the same order;
-- params is JSONB, enabled is BOOLEAN, run_at and the other instants are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS scheduler_schedules (
    name TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    schedule_type TEXT NOT NULL,  -- cron, interval, date
    cron_expression TEXT,
    interval_minutes INTEGER,
    interval_hours INTEGER,
    run_at TIMESTAMPTZ,
    timezone TEXT DEFAULT 'UTC',
    params JSONB,
    enabled BOOLEAN DEFAULT TRUE,
    max_instances INTEGER DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_schedules_pipeline ON scheduler_schedules (pipeline);
CREATE INDEX IF NOT EXISTS idx_schedules_enabled ON scheduler_schedules (enabled);
