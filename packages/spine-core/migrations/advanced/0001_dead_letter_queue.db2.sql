-- spine:description dead_letter_queue: failed messages kept for retry (seed 003)
-- DB2 variant of 0001_dead_letter_queue.sql (DDL output only; run in Apache Derby
-- by src/dialect/db2/db2-ddl.test.ts).
CREATE TABLE DEAD_LETTER_QUEUE (
    DLQ_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    SOURCE_TYPE VARCHAR(20) NOT NULL,               -- workflow, step, message
    SOURCE_ID VARCHAR(64) NOT NULL,
    PAYLOAD CLOB(1M) NOT NULL,                      -- JSON
    ERROR VARCHAR(4000) NOT NULL,
    ERROR_CATEGORY VARCHAR(50),
    RETRY_COUNT INTEGER DEFAULT 0,
    MAX_RETRIES INTEGER DEFAULT 3,
    FIRST_FAILED_AT TIMESTAMP NOT NULL,
    LAST_FAILED_AT TIMESTAMP NOT NULL,
    NEXT_RETRY_AT TIMESTAMP,
    STATUS VARCHAR(20) DEFAULT 'pending',           -- pending, retrying, exhausted, resolved
    RESOLVED_AT TIMESTAMP,
    METADATA CLOB(1M)                               -- JSON
);

CREATE INDEX IDX_DLQ_STATUS ON DEAD_LETTER_QUEUE (STATUS);
CREATE INDEX IDX_DLQ_NEXT_RETRY ON DEAD_LETTER_QUEUE (NEXT_RETRY_AT);
CREATE INDEX IDX_DLQ_SOURCE ON DEAD_LETTER_QUEUE (SOURCE_TYPE, SOURCE_ID);
