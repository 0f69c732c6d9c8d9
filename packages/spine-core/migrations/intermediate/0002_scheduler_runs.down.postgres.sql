-- spine:description undo 0002_scheduler_runs
DROP INDEX IF EXISTS idx_scheduler_runs_scheduled_at;
DROP INDEX IF EXISTS idx_scheduler_runs_status;
DROP INDEX IF EXISTS idx_scheduler_runs_schedule;
DROP TABLE IF EXISTS scheduler_runs;
