-- spine:description undo 0004_workflow_step_runs
DROP INDEX IDX_STEP_RUNS_STATUS;
-- spine:db2-only Derby indexes every FOREIGN KEY itself, so it skipped this same-columns CREATE INDEX (warning 01504); DB2 created it
DROP INDEX IDX_STEP_RUNS_RUN;
DROP TABLE WORKFLOW_STEP_RUNS;
