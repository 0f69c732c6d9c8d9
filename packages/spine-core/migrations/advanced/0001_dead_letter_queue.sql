-- spine:description dead_letter_queue: failed messages kept for retry (seed 003)
CREATE TABLE IF NOT EXISTS dead_letter_queue (
    dlq_id TEXT PRIMARY KEY,
    source_type TEXT NOT NULL,  -- workflow, step, message
    source_id TEXT NOT NULL,
    payload TEXT NOT NULL,  -- JSON
    error TEXT NOT NULL,
    error_category TEXT,
    retry_count INTEGER DEFAULT 0,
    max_retries INTEGER DEFAULT 3,
    first_failed_at TEXT NOT NULL,
    last_failed_at TEXT NOT NULL,
    next_retry_at TEXT,
    status TEXT DEFAULT 'pending',  -- pending, retrying, exhausted, resolved
    resolved_at TEXT,
    metadata TEXT  -- JSON
);

CREATE INDEX IF NOT EXISTS idx_dlq_status ON dead_letter_queue (status);
CREATE INDEX IF NOT EXISTS idx_dlq_next_retry ON dead_letter_queue (next_retry_at);
CREATE INDEX IF NOT EXISTS idx_dlq_source ON dead_letter_queue (source_type, source_id);
