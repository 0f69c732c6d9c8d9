-- spine:description undo 0006_core_source_configs
DROP INDEX IF EXISTS idx_source_configs_name;
DROP INDEX IF EXISTS idx_source_configs_type;
DROP TABLE IF EXISTS core_source_configs;
