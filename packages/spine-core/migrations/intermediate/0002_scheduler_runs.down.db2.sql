-- spine:description undo 0002_scheduler_runs
DROP INDEX IDX_SCHEDULER_RUNS_SCHEDULED_AT;
DROP INDEX IDX_SCHEDULER_RUNS_STATUS;
-- spine:db2-only Derby indexes every FOREIGN KEY itself, so it skipped this same-columns CREATE INDEX (warning 01504); DB2 created it
DROP INDEX IDX_SCHEDULER_RUNS_SCHEDULE;
DROP TABLE SCHEDULER_RUNS;
