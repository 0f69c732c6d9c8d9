-- spine:description workflow_runs: workflow execution history (seed 003)
-- DB2 variant of 0003_workflow_runs.sql, in the form of seed 003's DB2 schema
-- (DDL output only; run in Apache Derby by src/dialect/db2/db2-ddl.test.ts).
-- Index names follow the SQLite migration, not seed 003's IDX_WR_*, so that both
-- dialects declare the same objects.
CREATE TABLE WORKFLOW_RUNS (
    RUN_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    WORKFLOW_NAME VARCHAR(200) NOT NULL,
    DOMAIN VARCHAR(100),
    PARTITION_KEY VARCHAR(200),
    STATUS VARCHAR(20) NOT NULL,                    -- PENDING, RUNNING, COMPLETED, FAILED, CANCELLED
    STARTED_AT TIMESTAMP,
    COMPLETED_AT TIMESTAMP,
    PARAMS CLOB(1M),                                -- JSON
    OUTPUTS CLOB(1M),                               -- JSON
    ERROR VARCHAR(4000),
    ERROR_CATEGORY VARCHAR(50),
    METRICS CLOB(100K),                             -- JSON
    TRIGGERED_BY VARCHAR(50) NOT NULL,              -- manual, schedule, api
    CREATED_AT TIMESTAMP NOT NULL DEFAULT CURRENT TIMESTAMP
);

CREATE INDEX IDX_WORKFLOW_RUNS_NAME ON WORKFLOW_RUNS (WORKFLOW_NAME);
CREATE INDEX IDX_WORKFLOW_RUNS_STATUS ON WORKFLOW_RUNS (STATUS);
CREATE INDEX IDX_WORKFLOW_RUNS_DOMAIN ON WORKFLOW_RUNS (DOMAIN);
CREATE INDEX IDX_WORKFLOW_RUNS_STARTED ON WORKFLOW_RUNS (STARTED_AT);
CREATE INDEX IDX_WORKFLOW_RUNS_CREATED ON WORKFLOW_RUNS (CREATED_AT);
