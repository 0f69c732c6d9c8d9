-- spine:description undo 0004_workflow_step_runs
DROP INDEX IF EXISTS idx_step_runs_status;
DROP INDEX IF EXISTS idx_step_runs_run;
DROP TABLE IF EXISTS workflow_step_runs;
