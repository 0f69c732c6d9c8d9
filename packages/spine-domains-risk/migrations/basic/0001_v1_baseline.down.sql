-- spine:description undo 0001_v1_baseline: drops the nine v1 tables and every row in them
DROP TABLE IF EXISTS reset_schedule;
DROP TABLE IF EXISTS enforcement_log;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS positions;
DROP TABLE IF EXISTS session_state;
DROP TABLE IF EXISTS trade_history;
DROP TABLE IF EXISTS contract_cache;
DROP TABLE IF EXISTS daily_pnl;
DROP TABLE IF EXISTS lockouts;
