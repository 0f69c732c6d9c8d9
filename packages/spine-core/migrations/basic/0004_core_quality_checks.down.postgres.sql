-- spine:description undo 0004_core_quality_checks
DROP INDEX IF EXISTS idx_core_quality_checks_execution;
DROP INDEX IF EXISTS idx_core_quality_checks_name;
DROP INDEX IF EXISTS idx_core_quality_checks_status;
DROP INDEX IF EXISTS idx_core_quality_checks_partition;
DROP TABLE IF EXISTS core_quality_checks;
