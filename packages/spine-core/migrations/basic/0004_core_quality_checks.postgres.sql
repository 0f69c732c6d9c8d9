-- spine:description core_quality_checks: every quality check result, passes included
-- PostgreSQL variant of 0004_core_quality_checks.sql: same columns in the same order;
-- check_id is an identity column, failed_row_count is BIGINT, sample_keys is JSONB,
-- checked_at is TIMESTAMPTZ.
-- Standard check names and categories from seed 001 ("Quality Check Names").
CREATE TABLE IF NOT EXISTS core_quality_checks (
    check_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain TEXT NOT NULL,
    partition_key TEXT,
    pipeline TEXT NOT NULL,
    stage TEXT,
    capture_id TEXT,
    check_name TEXT NOT NULL,
    check_kind TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('INTEGRITY', 'COMPLETENESS', 'BUSINESS_RULE')),
    severity TEXT NOT NULL CHECK (severity IN ('WARN', 'FAIL')),
    status TEXT NOT NULL CHECK (status IN ('PASS', 'WARN', 'FAIL', 'ERROR')),
    check_value TEXT,
    expected_value TEXT,
    tolerance TEXT,
    message TEXT NOT NULL,
    failed_row_count BIGINT CHECK (failed_row_count >= 0),
    sample_keys JSONB,                      -- JSON array of offending keys
    execution_id TEXT NOT NULL,
    batch_id TEXT,
    checked_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_core_quality_checks_partition ON core_quality_checks (domain, partition_key);
CREATE INDEX IF NOT EXISTS idx_core_quality_checks_status ON core_quality_checks (status);
CREATE INDEX IF NOT EXISTS idx_core_quality_checks_name ON core_quality_checks (check_name);
CREATE INDEX IF NOT EXISTS idx_core_quality_checks_execution ON core_quality_checks (execution_id);
