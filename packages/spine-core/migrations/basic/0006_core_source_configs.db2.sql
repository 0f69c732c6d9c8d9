-- spine:description core_source_configs: source configuration registry (seed 003)
-- DB2 variant of 0006_core_source_configs.sql, in the form of seed 003's DB2
-- version (DDL output only; run in Apache Derby by src/dialect/db2/db2-ddl.test.ts).
CREATE TABLE CORE_SOURCE_CONFIGS (
    SOURCE_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    SOURCE_TYPE VARCHAR(20) NOT NULL,               -- file, http, database
    NAME VARCHAR(200) NOT NULL UNIQUE,
    CONFIG CLOB(1M) NOT NULL,                       -- JSON configuration
    ENABLED SMALLINT DEFAULT 1 CHECK (ENABLED IN (0, 1)),
    CREATED_AT TIMESTAMP NOT NULL DEFAULT CURRENT TIMESTAMP,
    UPDATED_AT TIMESTAMP NOT NULL DEFAULT CURRENT TIMESTAMP
);

CREATE INDEX IDX_SOURCE_CONFIGS_TYPE ON CORE_SOURCE_CONFIGS (SOURCE_TYPE);
-- No IDX_SOURCE_CONFIGS_NAME: the UNIQUE constraint on NAME already has an index
-- on (NAME). DB2 would not create a duplicate (warning SQL0605W), and the down
-- script's DROP INDEX would then fail on the missing index.
