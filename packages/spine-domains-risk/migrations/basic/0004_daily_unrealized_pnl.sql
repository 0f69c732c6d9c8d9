-- spine:description v2 phase 3 (optional): daily_unrealized_pnl snapshots (DB-SCHEMA-002) and their indexes
-- spine:feature track_unrealized_pnl
-- Applied only while the config flag database.track_unrealized_pnl is true,
-- and later when it is turned on. RULE-004 works without this table; it only
-- keeps history. timestamp is the day, YYYY-MM-DD.
CREATE TABLE IF NOT EXISTS daily_unrealized_pnl (
    account_id INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    unrealized_pnl REAL NOT NULL,
    positions_count INTEGER NOT NULL,
    total_exposure REAL,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (account_id, timestamp)
);

CREATE INDEX IF NOT EXISTS idx_daily_unrealized_pnl_date ON daily_unrealized_pnl (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_daily_unrealized_pnl_account_date ON daily_unrealized_pnl (account_id, timestamp DESC);
