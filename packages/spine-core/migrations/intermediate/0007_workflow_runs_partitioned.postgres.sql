-- spine:description workflow_runs_partitioned: workflow_runs partitioned by month of created_at (seed 003, PostgreSQL only)
-- PostgreSQL only (no portable file): seed 003 "Add partitioning for large tables".
-- Same columns, defaults and CHECK constraints as workflow_runs. INCLUDING ALL is
-- not used: it would copy the primary key on run_id alone, and a partitioned
-- table's unique constraints must include the partition key, so the primary key
-- here is (run_id, created_at).
CREATE TABLE IF NOT EXISTS workflow_runs_partitioned (
    LIKE workflow_runs INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (run_id, created_at)
) PARTITION BY RANGE (created_at);

-- Rows outside every monthly partition land here instead of failing the insert.
CREATE TABLE IF NOT EXISTS workflow_runs_partitioned_default PARTITION OF workflow_runs_partitioned DEFAULT;

-- Monthly partitions workflow_runs_YYYY_MM for the 12 months before and the 24
-- months after the (UTC) month the migration runs, bounds at 00:00 UTC on the 1st.
-- Idempotent: existing partitions are kept; a month whose rows already sit in
-- the DEFAULT partition is skipped with a WARNING (attaching it would fail).
DO $$
DECLARE
    this_month CONSTANT date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    month_start date;
    part_name text;
    lower_bound timestamptz;
    upper_bound timestamptz;
BEGIN
    FOR i IN -12..24 LOOP
        month_start := (this_month + make_interval(months => i))::date;
        part_name := 'workflow_runs_' || to_char(month_start, 'YYYY_MM');
        lower_bound := (month_start::timestamp AT TIME ZONE 'UTC');
        upper_bound := ((month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        CONTINUE WHEN to_regclass(format('%I.%I', current_schema(), part_name)) IS NOT NULL;
        IF EXISTS (SELECT 1 FROM workflow_runs_partitioned_default
                   WHERE created_at >= lower_bound AND created_at < upper_bound) THEN
            RAISE WARNING 'workflow_runs_partitioned: % not created, the DEFAULT partition holds rows of that month', part_name;
            CONTINUE;
        END IF;
        EXECUTE format(
            'CREATE TABLE %I.%I PARTITION OF %I.workflow_runs_partitioned FOR VALUES FROM (%L) TO (%L)',
            current_schema(), part_name, current_schema(),
            to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00',
            to_char(upper_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00');
    END LOOP;
END
$$;
