-- spine:description undo 0001_scheduler_schedules
DROP INDEX IF EXISTS idx_schedules_enabled;
DROP INDEX IF EXISTS idx_schedules_pipeline;
DROP TABLE IF EXISTS scheduler_schedules;
