-- spine:description alert_history: sent alert records (seed 003)
-- DB2 variant of 0005_alert_history.sql (DDL output only; run in Apache Derby by
-- src/dialect/db2/db2-ddl.test.ts).
-- SOURCE is a DB2 reserved word: the column is the delimited identifier "SOURCE"
-- (the same upper-case name as an unquoted SOURCE); queries must write it quoted.
-- SUCCESS is a 0/1 flag: SMALLINT with CHECK (SUCCESS IN (0, 1)) (seed 003 booleans).
CREATE TABLE ALERT_HISTORY (
    ALERT_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    SEVERITY VARCHAR(10) NOT NULL,                  -- CRITICAL, ERROR, WARNING, INFO
    TITLE VARCHAR(500) NOT NULL,
    MESSAGE VARCHAR(4000) NOT NULL,
    "SOURCE" VARCHAR(200) NOT NULL,
    EXECUTION_ID VARCHAR(64),
    CHANNEL VARCHAR(50) NOT NULL,                   -- slack, email, servicenow
    SENT_AT TIMESTAMP NOT NULL,
    SUCCESS SMALLINT NOT NULL CHECK (SUCCESS IN (0, 1)),
    ERROR VARCHAR(4000),
    METADATA CLOB(1M)                               -- JSON
);

CREATE INDEX IDX_ALERTS_SEVERITY ON ALERT_HISTORY (SEVERITY);
CREATE INDEX IDX_ALERTS_SOURCE ON ALERT_HISTORY ("SOURCE");
CREATE INDEX IDX_ALERTS_SENT_AT ON ALERT_HISTORY (SENT_AT);
