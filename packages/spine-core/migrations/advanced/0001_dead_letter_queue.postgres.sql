-- spine:description dead_letter_queue: failed messages kept for retry (seed 003)
-- PostgreSQL variant of 0001_dead_letter_queue.sql: same columns in the same order;
-- payload and metadata are JSONB, instants are TIMESTAMPTZ.
CREATE TABLE IF NOT EXISTS dead_letter_queue (
    dlq_id TEXT PRIMARY KEY,
    source_type TEXT NOT NULL,  -- workflow, step, message
    source_id TEXT NOT NULL,
    payload JSONB NOT NULL,
    error TEXT NOT NULL,
    error_category TEXT,
    retry_count INTEGER DEFAULT 0,
    max_retries INTEGER DEFAULT 3,
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_failed_at TIMESTAMPTZ NOT NULL,
    next_retry_at TIMESTAMPTZ,
    status TEXT DEFAULT 'pending',  -- pending, retrying, exhausted, resolved
    resolved_at TIMESTAMPTZ,
    metadata JSONB
);

CREATE INDEX IF NOT EXISTS idx_dlq_status ON dead_letter_queue (status);
CREATE INDEX IF NOT EXISTS idx_dlq_next_retry ON dead_letter_queue (next_retry_at);
CREATE INDEX IF NOT EXISTS idx_dlq_source ON dead_letter_queue (source_type, source_id);
