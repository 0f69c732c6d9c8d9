-- spine:description core_manifest: pipeline stages reached per (domain, partition)
-- DB2 variant of 0002_core_manifest.sql (DDL output only; run in Apache Derby by
-- src/dialect/db2/db2-ddl.test.ts).
-- One row per (domain, partition_key, stage): the last capture that reached the
-- stage, its row counts, its source and its lineage (seed 001 week manifest,
-- generalised across domains).
CREATE TABLE CORE_MANIFEST (
    DOMAIN VARCHAR(100) NOT NULL,
    PARTITION_KEY VARCHAR(200) NOT NULL,
    STAGE VARCHAR(50) NOT NULL,
    CAPTURE_ID VARCHAR(64),
    ROW_COUNT_IN BIGINT CHECK (ROW_COUNT_IN >= 0),
    ROW_COUNT_OUT BIGINT CHECK (ROW_COUNT_OUT >= 0),
    ROW_COUNT_REJECTED BIGINT CHECK (ROW_COUNT_REJECTED >= 0),
    SOURCE_TYPE VARCHAR(20),                        -- file | url | api
    SOURCE_LOCATOR VARCHAR(2048),
    SOURCE_SHA256 VARCHAR(64),
    SOURCE_BYTES BIGINT CHECK (SOURCE_BYTES >= 0),
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    METADATA CLOB(1M),                              -- JSON
    UPDATED_AT TIMESTAMP NOT NULL,                  -- UTC
    PRIMARY KEY (DOMAIN, PARTITION_KEY, STAGE)
);

CREATE INDEX IDX_CORE_MANIFEST_STAGE ON CORE_MANIFEST (DOMAIN, STAGE);
CREATE INDEX IDX_CORE_MANIFEST_BATCH ON CORE_MANIFEST (BATCH_ID);
CREATE INDEX IDX_CORE_MANIFEST_CAPTURE ON CORE_MANIFEST (CAPTURE_ID);
