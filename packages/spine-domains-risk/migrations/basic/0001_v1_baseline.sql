-- spine:description risk manager state database v1: the nine tables and their indexes (the baseline an existing v1 database is adopted at)
-- The v1 schema exactly as the real v1 database has it (RISK_V1_SCHEMA.md):
-- SQLite types as written there, "now" defaults as CURRENT_TIMESTAMP. An
-- existing v1 database is not recreated: `spine risk upgrade` records this
-- migration with the engine's baseline after checking its objects exist.

CREATE TABLE IF NOT EXISTS lockouts (
    account_id INTEGER PRIMARY KEY,
    is_locked BOOLEAN DEFAULT 0,
    reason TEXT,
    locked_at DATETIME,
    locked_until DATETIME,
    rule_id TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_lockouts_until ON lockouts (locked_until);

CREATE TABLE IF NOT EXISTS daily_pnl (
    account_id INTEGER,
    date DATE,
    realized_pnl REAL DEFAULT 0,
    last_updated DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (account_id, date)
);
CREATE INDEX IF NOT EXISTS idx_daily_pnl_date ON daily_pnl (date);

CREATE TABLE IF NOT EXISTS contract_cache (
    contract_id TEXT PRIMARY KEY,
    tick_size REAL,
    tick_value REAL,
    symbol_id TEXT,
    name TEXT,
    cached_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_contract_cache_symbol ON contract_cache (symbol_id);

CREATE TABLE IF NOT EXISTS trade_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER,
    timestamp DATETIME,
    contract_id TEXT,
    pnl REAL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_trade_history_account_time ON trade_history (account_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_trade_history_timestamp ON trade_history (timestamp);

CREATE TABLE IF NOT EXISTS session_state (
    account_id INTEGER PRIMARY KEY,
    session_start DATETIME,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- id is the broker's position id; type 1 = long, 2 = short.
CREATE TABLE IF NOT EXISTS positions (
    id INTEGER PRIMARY KEY,
    account_id INTEGER,
    contract_id TEXT,
    type INTEGER,
    size INTEGER,
    average_price REAL,
    created_at DATETIME,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_positions_account ON positions (account_id);
CREATE INDEX IF NOT EXISTS idx_positions_contract ON positions (contract_id);

CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    account_id INTEGER,
    contract_id TEXT,
    type INTEGER,
    side INTEGER,
    size INTEGER,
    limit_price REAL,
    stop_price REAL,
    state INTEGER,
    created_at DATETIME,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_orders_account ON orders (account_id);
CREATE INDEX IF NOT EXISTS idx_orders_contract ON orders (contract_id);
CREATE INDEX IF NOT EXISTS idx_orders_state ON orders (state);

-- details is JSON text.
CREATE TABLE IF NOT EXISTS enforcement_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
    account_id INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    success BOOLEAN DEFAULT 1,
    details TEXT,
    execution_time_ms INTEGER
);
CREATE INDEX IF NOT EXISTS idx_enforcement_account ON enforcement_log (account_id);
CREATE INDEX IF NOT EXISTS idx_enforcement_timestamp ON enforcement_log (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_enforcement_rule ON enforcement_log (rule_id);

-- reset_time_config is a wall-clock time such as "17:00", in timezone.
CREATE TABLE IF NOT EXISTS reset_schedule (
    account_id INTEGER PRIMARY KEY,
    last_reset_date DATE,
    next_reset_time DATETIME,
    reset_time_config TEXT,
    timezone TEXT
);
