-- spine:description workflow_step_runs: step execution within workflows (seed 003)
-- DB2 variant of 0004_workflow_step_runs.sql, in the form of seed 003's DB2
-- schema (DDL output only; run in Apache Derby by src/dialect/db2/db2-ddl.test.ts).
-- QUALITY_PASSED is a 0/1 flag: SMALLINT with CHECK (QUALITY_PASSED IN (0, 1)).
CREATE TABLE WORKFLOW_STEP_RUNS (
    STEP_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    RUN_ID VARCHAR(64) NOT NULL,
    STEP_NAME VARCHAR(200) NOT NULL,
    STEP_TYPE VARCHAR(50) NOT NULL,                 -- lambda, pipeline, choice, wait, map
    STEP_ORDER INTEGER NOT NULL,
    STATUS VARCHAR(20) NOT NULL,
    STARTED_AT TIMESTAMP,
    COMPLETED_AT TIMESTAMP,
    INPUT_PARAMS CLOB(1M),                          -- JSON
    OUTPUT_DATA CLOB(1M),                           -- JSON
    ERROR VARCHAR(4000),
    ERROR_CATEGORY VARCHAR(50),
    RECORDS_PROCESSED BIGINT,
    QUALITY_PASSED SMALLINT CHECK (QUALITY_PASSED IN (0, 1)),
    QUALITY_METRICS CLOB(100K),                     -- JSON
    CONSTRAINT FK_STEP_RUN FOREIGN KEY (RUN_ID)
        REFERENCES WORKFLOW_RUNS (RUN_ID) ON DELETE CASCADE
);

CREATE INDEX IDX_STEP_RUNS_RUN ON WORKFLOW_STEP_RUNS (RUN_ID);
CREATE INDEX IDX_STEP_RUNS_STATUS ON WORKFLOW_STEP_RUNS (STATUS);
