-- spine:description undo 0002_weekly_symbol_venue_volume
DROP VIEW IF EXISTS finra_otc_transparency_weekly_symbol_venue_volume_latest;
DROP INDEX IF EXISTS idx_fotc_venue_vol_latest;
DROP INDEX IF EXISTS idx_fotc_venue_vol_symbol;
DROP INDEX IF EXISTS idx_fotc_venue_vol_capture;
DROP TABLE IF EXISTS finra_otc_transparency_weekly_symbol_venue_volume;
