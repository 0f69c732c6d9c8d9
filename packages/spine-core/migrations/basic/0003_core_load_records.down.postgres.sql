-- spine:description undo 0003_core_load_records
DROP INDEX IF EXISTS idx_core_load_records_execution;
DROP INDEX IF EXISTS idx_core_load_records_sha;
DROP TABLE IF EXISTS core_load_records;
