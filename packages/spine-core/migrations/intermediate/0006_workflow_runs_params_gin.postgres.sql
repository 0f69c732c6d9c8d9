-- spine:description workflow_runs: GIN index on params for JSONB queries (seed 003, PostgreSQL only)
-- spine:no-transaction
-- PostgreSQL only (no portable file): seed 003 "PostgreSQL-Specific Schema".
-- CONCURRENTLY does not block writes to workflow_runs while the index builds,
-- and cannot run inside a transaction, hence no-transaction.
-- If a previous CONCURRENTLY build was interrupted it leaves an INVALID index of
-- this name, which IF NOT EXISTS would keep: run the down script, then this again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_workflow_runs_params_gin ON workflow_runs USING GIN (params);
