-- spine:description v2 phase 1: schema_version (DB-SCHEMA-001) with the v1 baseline and v2 rows; enforcement_log.execution_time_ms
-- Seed 004 phase 1. A v1 database may already hold the minimal
-- schema_version(version INTEGER PRIMARY KEY, applied_at) of v1: it is adopted,
-- not failed on. SQLite cannot branch on whether a table exists, so both cases
-- take one path: make sure a schema_version exists (the minimal form when
-- absent), copy its rows into the v2 table, swap the tables. The v2 table's
-- definition is then the same whichever way the database came.
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at);

CREATE TABLE schema_version_v2 (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL,
    description TEXT NOT NULL,
    migration_script TEXT,
    rollback_script TEXT,
    execution_time_ms INTEGER,
    success BOOLEAN NOT NULL DEFAULT 1,
    error_message TEXT
);

-- Rows of the v1 table keep their version and applied_at (ISO-8601 UTC when it had none).
INSERT INTO schema_version_v2 (version, applied_at, description, success)
SELECT version,
       COALESCE(applied_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
       CASE version
           WHEN 1 THEN 'Baseline schema - 9 tables (lockouts, daily_pnl, contract_cache, trade_history, session_state, positions, orders, enforcement_log, reset_schedule)'
           ELSE 'Schema version ' || version || ' (recorded before v2)'
       END,
       1
FROM schema_version;

DROP TABLE schema_version;
ALTER TABLE schema_version_v2 RENAME TO schema_version;

CREATE INDEX IF NOT EXISTS idx_schema_version_applied ON schema_version (applied_at DESC);

-- v1 baseline (retroactive) and v2, as seed 004 phase 1 records them.
INSERT OR IGNORE INTO schema_version (version, applied_at, description, success)
VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
        'Baseline schema - 9 tables (lockouts, daily_pnl, contract_cache, trade_history, session_state, positions, orders, enforcement_log, reset_schedule)', 1);
INSERT OR IGNORE INTO schema_version (version, applied_at, description, success)
VALUES (2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
        'Schema v2: Add schema_version table, analytics indexes, optional daily_unrealized_pnl table', 1);

-- v1 defines it (DB-SCHEMA-003: only the v1 dataclass lacked it); a v1 database
-- that predates it gets it here, one that has it is left as it is.
ALTER TABLE enforcement_log ADD COLUMN execution_time_ms INTEGER;
