-- spine:description undo 0005_core_anomalies
DROP INDEX IF EXISTS idx_core_anomalies_open;
DROP INDEX IF EXISTS idx_core_anomalies_partition;
DROP TABLE IF EXISTS core_anomalies;
