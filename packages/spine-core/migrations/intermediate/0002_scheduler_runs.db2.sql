-- spine:description scheduler_runs: scheduler execution history (seed 003)
-- DB2 variant of 0002_scheduler_runs.sql (DDL output only; run in Apache Derby by
-- src/dialect/db2/db2-ddl.test.ts).
-- RESULT is a DB2 reserved word: the column is the delimited identifier "RESULT"
-- (the same upper-case name as an unquoted RESULT); queries must write it quoted.
CREATE TABLE SCHEDULER_RUNS (
    RUN_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    SCHEDULE_NAME VARCHAR(200) NOT NULL,
    PIPELINE VARCHAR(200) NOT NULL,
    STATUS VARCHAR(20) NOT NULL,                    -- pending, running, completed, failed, skipped
    SCHEDULED_AT TIMESTAMP NOT NULL,
    STARTED_AT TIMESTAMP,
    COMPLETED_AT TIMESTAMP,
    ERROR VARCHAR(4000),
    "RESULT" CLOB(1M),                              -- JSON
    FOREIGN KEY (SCHEDULE_NAME) REFERENCES SCHEDULER_SCHEDULES (NAME)
);

CREATE INDEX IDX_SCHEDULER_RUNS_SCHEDULE ON SCHEDULER_RUNS (SCHEDULE_NAME);
CREATE INDEX IDX_SCHEDULER_RUNS_STATUS ON SCHEDULER_RUNS (STATUS);
CREATE INDEX IDX_SCHEDULER_RUNS_SCHEDULED_AT ON SCHEDULER_RUNS (SCHEDULED_AT);
