-- spine:description undo 0005_venue_share
DROP VIEW IF EXISTS finra_otc_transparency_venue_share_latest;
DROP INDEX IF EXISTS idx_fotc_venue_share_latest;
DROP INDEX IF EXISTS idx_fotc_venue_share_mpid;
DROP INDEX IF EXISTS idx_fotc_venue_share_capture;
DROP TABLE IF EXISTS finra_otc_transparency_venue_share;
