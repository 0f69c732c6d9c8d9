-- spine:description undo 0007_symbol_rolling_6w
DROP VIEW IF EXISTS finra_otc_transparency_symbol_rolling_6w_latest;
DROP INDEX IF EXISTS idx_fotc_rolling_latest;
DROP INDEX IF EXISTS idx_fotc_rolling_symbol;
DROP INDEX IF EXISTS idx_fotc_rolling_capture;
DROP TABLE IF EXISTS finra_otc_transparency_symbol_rolling_6w;
