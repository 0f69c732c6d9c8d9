-- spine:description alert_history: sent alert records (seed 003)
-- PostgreSQL variant of 0005_alert_history.sql: same columns in the same order;
-- success is BOOLEAN, metadata is JSONB, sent_at is TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS alert_history (
    alert_id TEXT PRIMARY KEY,
    severity TEXT NOT NULL,  -- CRITICAL, ERROR, WARNING, INFO
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    source TEXT NOT NULL,
    execution_id TEXT,
    channel TEXT NOT NULL,  -- slack, email, servicenow
    sent_at TIMESTAMPTZ NOT NULL,
    success BOOLEAN NOT NULL,
    error TEXT,
    metadata JSONB
);

CREATE INDEX IF NOT EXISTS idx_alerts_severity ON alert_history (severity);
CREATE INDEX IF NOT EXISTS idx_alerts_source ON alert_history (source);
CREATE INDEX IF NOT EXISTS idx_alerts_sent_at ON alert_history (sent_at);
