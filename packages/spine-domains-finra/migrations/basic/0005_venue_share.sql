-- spine:description finra_otc_transparency_venue_share: tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank
-- Tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank.
-- Calc registered in CALCS as venue_market_share; rows of several versions and captures coexist.
CREATE TABLE IF NOT EXISTS finra_otc_transparency_venue_share (
    week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    tier TEXT NOT NULL CHECK (tier IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    mpid TEXT NOT NULL CHECK (length(mpid) = 4 AND mpid NOT GLOB '*[^A-Z0-9]*'),
    market_participant_name TEXT,
    total_volume INTEGER NOT NULL CHECK (total_volume >= 0),           -- shares
    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),           -- trades
    symbol_count INTEGER NOT NULL CHECK (symbol_count >= 1),
    market_share REAL NOT NULL CHECK (market_share BETWEEN 0 AND 1),   -- fraction of the tier's weekly volume
    rank INTEGER NOT NULL CHECK (rank >= 1),
    calc_name TEXT NOT NULL,
    calc_version TEXT NOT NULL,
    capture_id TEXT NOT NULL REFERENCES finra_otc_transparency_captures (capture_id),
    captured_at TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    calculated_at TEXT NOT NULL,
    UNIQUE (week_ending, tier, mpid, calc_name, calc_version, capture_id)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_latest views seek instead of scanning.
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_capture ON finra_otc_transparency_venue_share (week_ending, tier, capture_id);
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_mpid ON finra_otc_transparency_venue_share (mpid, week_ending, tier);
CREATE INDEX IF NOT EXISTS idx_fotc_venue_share_latest ON finra_otc_transparency_venue_share (week_ending, tier, calc_name, calc_version, captured_at DESC, capture_id DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
CREATE VIEW IF NOT EXISTS finra_otc_transparency_venue_share_latest AS
SELECT t.*
FROM finra_otc_transparency_venue_share AS t
WHERE t.calc_name = 'venue_market_share' AND t.calc_version = 'v1'
  AND t.capture_id = (
    SELECT c.capture_id FROM finra_otc_transparency_venue_share AS c
    WHERE c.week_ending = t.week_ending AND c.tier = t.tier
      AND c.calc_name = t.calc_name AND c.calc_version = t.calc_version
    ORDER BY c.captured_at DESC, c.capture_id DESC
    LIMIT 1);
