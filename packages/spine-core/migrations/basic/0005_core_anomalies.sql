-- spine:description core_anomalies: detected anomalies awaiting review
CREATE TABLE IF NOT EXISTS core_anomalies (
    anomaly_id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    partition_key TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'ERROR', 'CRITICAL')),
    category TEXT NOT NULL,
    message TEXT NOT NULL,
    details TEXT,                           -- JSON
    execution_id TEXT,
    batch_id TEXT,
    detected_at TEXT NOT NULL,
    resolved_at TEXT
);

CREATE INDEX IF NOT EXISTS idx_core_anomalies_partition ON core_anomalies (domain, partition_key);
CREATE INDEX IF NOT EXISTS idx_core_anomalies_open ON core_anomalies (severity, detected_at) WHERE resolved_at IS NULL;
