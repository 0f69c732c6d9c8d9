-- spine:description undo 0004_daily_unrealized_pnl: drops the table and its snapshots
DROP INDEX IF EXISTS idx_daily_unrealized_pnl_account_date;
DROP INDEX IF EXISTS idx_daily_unrealized_pnl_date;
DROP TABLE IF EXISTS daily_unrealized_pnl;
