-- spine:description undo 0006_workflow_runs_params_gin
-- spine:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS idx_workflow_runs_params_gin;
