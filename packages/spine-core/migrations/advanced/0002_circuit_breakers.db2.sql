-- spine:description circuit_breakers: circuit breaker state (seed 003)
-- DB2 variant of 0002_circuit_breakers.sql (DDL output only; run in Apache Derby
-- by src/dialect/db2/db2-ddl.test.ts).
CREATE TABLE CIRCUIT_BREAKERS (
    BREAKER_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    NAME VARCHAR(200) NOT NULL UNIQUE,
    STATE VARCHAR(20) NOT NULL DEFAULT 'closed',    -- closed, open, half_open
    FAILURE_COUNT INTEGER DEFAULT 0,
    SUCCESS_COUNT INTEGER DEFAULT 0,
    LAST_FAILURE_AT TIMESTAMP,
    LAST_SUCCESS_AT TIMESTAMP,
    OPENED_AT TIMESTAMP,
    HALF_OPENED_AT TIMESTAMP,
    CONFIG CLOB(1M),                                -- JSON (thresholds, timeouts)
    UPDATED_AT TIMESTAMP NOT NULL
);
