-- spine:description circuit_breakers: circuit breaker state (seed 003)
CREATE TABLE IF NOT EXISTS circuit_breakers (
    breaker_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'closed',  -- closed, open, half_open
    failure_count INTEGER DEFAULT 0,
    success_count INTEGER DEFAULT 0,
    last_failure_at TEXT,
    last_success_at TEXT,
    opened_at TEXT,
    half_opened_at TEXT,
    config TEXT,  -- JSON (thresholds, timeouts)
    updated_at TEXT NOT NULL
);
