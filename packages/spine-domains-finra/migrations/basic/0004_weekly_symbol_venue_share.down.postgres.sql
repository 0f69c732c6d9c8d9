-- spine:description undo 0004_weekly_symbol_venue_share
DROP VIEW IF EXISTS finra_otc_transparency_weekly_symbol_venue_share_latest;
DROP INDEX IF EXISTS idx_fotc_sym_venue_share_latest;
DROP INDEX IF EXISTS idx_fotc_sym_venue_share_symbol;
DROP INDEX IF EXISTS idx_fotc_sym_venue_share_capture;
DROP TABLE IF EXISTS finra_otc_transparency_weekly_symbol_venue_share;
