-- spine:description undo 0005_alert_history
DROP INDEX IF EXISTS idx_alerts_sent_at;
DROP INDEX IF EXISTS idx_alerts_source;
DROP INDEX IF EXISTS idx_alerts_severity;
DROP TABLE IF EXISTS alert_history;
