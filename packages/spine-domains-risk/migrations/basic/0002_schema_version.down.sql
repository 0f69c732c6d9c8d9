-- spine:description undo 0002_schema_version: back to v1 without a schema_version table
-- (execution_time_ms stays: it is part of v1.)
DROP INDEX IF EXISTS idx_schema_version_applied;
DROP TABLE IF EXISTS schema_version;
