-- spine:description v2 phase 2: the three analytics indexes of DB-SCHEMA-005
-- Failure analysis (enforcement_log WHERE success = 0 newest first), recently
-- updated positions, and an account's orders in one state.
CREATE INDEX IF NOT EXISTS idx_enforcement_log_success ON enforcement_log (success, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_positions_updated ON positions (updated_at DESC);
CREATE INDEX IF NOT EXISTS idx_orders_state_account ON orders (state, account_id);
