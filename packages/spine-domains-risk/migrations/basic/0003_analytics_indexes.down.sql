-- spine:description undo 0003_analytics_indexes
DROP INDEX IF EXISTS idx_orders_state_account;
DROP INDEX IF EXISTS idx_positions_updated;
DROP INDEX IF EXISTS idx_enforcement_log_success;
