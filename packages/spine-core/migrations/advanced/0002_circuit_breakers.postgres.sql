-- spine:description circuit_breakers: circuit breaker state (seed 003)
-- PostgreSQL variant of 0002_circuit_breakers.sql: same columns in the same order;
-- config is JSONB, instants are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS circuit_breakers (
    breaker_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'closed',  -- closed, open, half_open
    failure_count INTEGER DEFAULT 0,
    success_count INTEGER DEFAULT 0,
    last_failure_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    opened_at TIMESTAMPTZ,
    half_opened_at TIMESTAMPTZ,
    config JSONB,  -- thresholds, timeouts
    updated_at TIMESTAMPTZ NOT NULL
);
