-- spine:description undo 0008_research_snapshot
DROP VIEW IF EXISTS finra_otc_transparency_research_snapshot_latest;
DROP INDEX IF EXISTS idx_fotc_snapshot_latest;
DROP INDEX IF EXISTS idx_fotc_snapshot_symbol;
DROP INDEX IF EXISTS idx_fotc_snapshot_capture;
DROP TABLE IF EXISTS finra_otc_transparency_research_snapshot;
