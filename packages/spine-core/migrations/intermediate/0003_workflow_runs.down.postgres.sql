-- spine:description undo 0003_workflow_runs
DROP INDEX IF EXISTS idx_workflow_runs_created;
DROP INDEX IF EXISTS idx_workflow_runs_started;
DROP INDEX IF EXISTS idx_workflow_runs_domain;
DROP INDEX IF EXISTS idx_workflow_runs_status;
DROP INDEX IF EXISTS idx_workflow_runs_name;
DROP TABLE IF EXISTS workflow_runs;
