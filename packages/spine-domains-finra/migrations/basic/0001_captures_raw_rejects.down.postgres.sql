-- spine:description undo 0001_captures_raw_rejects
DROP INDEX IF EXISTS idx_fotc_rejects_load;
DROP INDEX IF EXISTS idx_fotc_rejects_capture;
DROP INDEX IF EXISTS idx_fotc_rejects_reason;
DROP INDEX IF EXISTS idx_fotc_rejects_week;
DROP TABLE IF EXISTS finra_otc_transparency_rejects;
DROP VIEW IF EXISTS finra_otc_transparency_raw_latest;
DROP INDEX IF EXISTS idx_fotc_raw_hash;
DROP INDEX IF EXISTS idx_fotc_raw_latest;
DROP INDEX IF EXISTS idx_fotc_raw_symbol;
DROP INDEX IF EXISTS idx_fotc_raw_capture;
DROP TABLE IF EXISTS finra_otc_transparency_raw;
DROP INDEX IF EXISTS idx_fotc_captures_load;
DROP INDEX IF EXISTS idx_fotc_captures_latest;
DROP TABLE IF EXISTS finra_otc_transparency_captures;
