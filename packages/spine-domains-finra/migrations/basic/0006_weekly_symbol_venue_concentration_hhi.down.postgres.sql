-- spine:description undo 0006_weekly_symbol_venue_concentration_hhi
DROP VIEW IF EXISTS finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest;
DROP INDEX IF EXISTS idx_fotc_hhi_latest;
DROP INDEX IF EXISTS idx_fotc_hhi_symbol;
DROP INDEX IF EXISTS idx_fotc_hhi_capture;
DROP TABLE IF EXISTS finra_otc_transparency_weekly_symbol_venue_concentration_hhi;
