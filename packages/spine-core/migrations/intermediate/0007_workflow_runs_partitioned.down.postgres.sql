-- spine:description undo 0007_workflow_runs_partitioned
-- The monthly and DEFAULT partitions are dropped with their parent.
DROP TABLE IF EXISTS workflow_runs_partitioned;
