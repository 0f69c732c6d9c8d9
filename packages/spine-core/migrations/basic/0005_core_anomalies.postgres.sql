-- spine:description core_anomalies: detected anomalies awaiting review
-- PostgreSQL variant of 0005_core_anomalies.sql: same columns in the same order;
-- details is JSONB, detected_at/resolved_at are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS core_anomalies (
    anomaly_id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    partition_key TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    category TEXT NOT NULL,
    message TEXT NOT NULL,
    details JSONB,
    execution_id TEXT,
    batch_id TEXT,
    detected_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ
);

CREATE INDEX IF NOT EXISTS idx_core_anomalies_partition ON core_anomalies (domain, partition_key);
CREATE INDEX IF NOT EXISTS idx_core_anomalies_open ON core_anomalies (severity, detected_at) WHERE resolved_at IS NULL;
