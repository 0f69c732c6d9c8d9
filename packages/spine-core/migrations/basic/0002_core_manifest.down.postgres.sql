-- spine:description undo 0002_core_manifest
DROP INDEX IF EXISTS idx_core_manifest_capture;
DROP INDEX IF EXISTS idx_core_manifest_batch;
DROP INDEX IF EXISTS idx_core_manifest_stage;
DROP TABLE IF EXISTS core_manifest;
