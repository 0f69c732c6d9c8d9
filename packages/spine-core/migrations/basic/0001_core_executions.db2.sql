-- spine:description core_executions: one row per pipeline execution, for lineage
-- DB2 variant of 0001_core_executions.sql (DDL output only; run in Apache Derby by
-- src/dialect/db2/db2-ddl.test.ts). DB2 has no IF NOT EXISTS: the ledger keeps
-- a migration from running twice.
-- Executions form a tree (a batch run is the parent of its per-partition runs);
-- every row a pipeline writes carries its execution_id and batch_id.
CREATE TABLE CORE_EXECUTIONS (
    EXECUTION_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    PIPELINE VARCHAR(200) NOT NULL,                 -- e.g. finra.otc_transparency.week
    DOMAIN VARCHAR(100),
    PARTITION_KEY VARCHAR(200),                     -- e.g. 2025-11-14|OTC
    STATUS VARCHAR(20) NOT NULL CHECK (STATUS IN ('RUNNING', 'COMPLETED', 'FAILED')),
    PARAMS CLOB(1M),                                -- JSON
    PARENT_EXECUTION_ID VARCHAR(64) REFERENCES CORE_EXECUTIONS (EXECUTION_ID),
    BATCH_ID VARCHAR(64),
    TRIGGERED_BY VARCHAR(50) NOT NULL DEFAULT 'manual',
    STARTED_AT TIMESTAMP NOT NULL,                  -- UTC
    COMPLETED_AT TIMESTAMP,
    ERROR_CODE VARCHAR(64),
    ERROR_MESSAGE VARCHAR(4000)
);

CREATE INDEX IDX_CORE_EXECUTIONS_PARENT ON CORE_EXECUTIONS (PARENT_EXECUTION_ID);
CREATE INDEX IDX_CORE_EXECUTIONS_BATCH ON CORE_EXECUTIONS (BATCH_ID);
CREATE INDEX IDX_CORE_EXECUTIONS_PARTITION ON CORE_EXECUTIONS (DOMAIN, PARTITION_KEY);
CREATE INDEX IDX_CORE_EXECUTIONS_STATUS ON CORE_EXECUTIONS (STATUS);
