-- spine:description undo 0006_core_source_configs
-- (IDX_SOURCE_CONFIGS_NAME is not created in DB2: the UNIQUE constraint's index serves NAME.)
DROP INDEX IDX_SOURCE_CONFIGS_TYPE;
DROP TABLE CORE_SOURCE_CONFIGS;
