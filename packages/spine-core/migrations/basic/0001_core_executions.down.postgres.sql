-- spine:description undo 0001_core_executions
DROP INDEX IF EXISTS idx_core_executions_status;
DROP INDEX IF EXISTS idx_core_executions_partition;
DROP INDEX IF EXISTS idx_core_executions_batch;
DROP INDEX IF EXISTS idx_core_executions_parent;
DROP TABLE IF EXISTS core_executions;
