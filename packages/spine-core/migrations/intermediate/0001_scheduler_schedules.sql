-- spine:description scheduler_schedules: scheduler configuration (seed 003)
CREATE TABLE IF NOT EXISTS scheduler_schedules (
    name TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    schedule_type TEXT NOT NULL,  -- cron, interval, date
    cron_expression TEXT,
    interval_minutes INTEGER,
    interval_hours INTEGER,
    run_at TEXT,
    timezone TEXT DEFAULT 'UTC',
    params TEXT,  -- JSON
    enabled INTEGER DEFAULT 1,
    max_instances INTEGER DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_schedules_pipeline ON scheduler_schedules (pipeline);
CREATE INDEX IF NOT EXISTS idx_schedules_enabled ON scheduler_schedules (enabled);
