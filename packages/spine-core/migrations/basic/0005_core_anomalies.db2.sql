-- spine:description core_anomalies: detected anomalies awaiting review
-- DB2 variant of 0005_core_anomalies.sql (DDL output only; run in Apache Derby by
-- src/dialect/db2/db2-ddl.test.ts).
CREATE TABLE CORE_ANOMALIES (
    ANOMALY_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    DOMAIN VARCHAR(100) NOT NULL,
    PARTITION_KEY VARCHAR(200),
    SEVERITY VARCHAR(10) NOT NULL CHECK (SEVERITY IN ('INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    CATEGORY VARCHAR(50) NOT NULL,
    MESSAGE VARCHAR(4000) NOT NULL,
    DETAILS CLOB(1M),                               -- JSON
    EXECUTION_ID VARCHAR(64),
    BATCH_ID VARCHAR(64),
    DETECTED_AT TIMESTAMP NOT NULL,
    RESOLVED_AT TIMESTAMP
);

CREATE INDEX IDX_CORE_ANOMALIES_PARTITION ON CORE_ANOMALIES (DOMAIN, PARTITION_KEY);
-- The SQLite index is partial (WHERE resolved_at IS NULL). DB2 has no partial
-- indexes, so this one covers every row; RESOLVED_AT is a trailing key column so
-- the "open anomalies" filter (RESOLVED_AT IS NULL) is answered from the index.
CREATE INDEX IDX_CORE_ANOMALIES_OPEN ON CORE_ANOMALIES (SEVERITY, DETECTED_AT, RESOLVED_AT);
