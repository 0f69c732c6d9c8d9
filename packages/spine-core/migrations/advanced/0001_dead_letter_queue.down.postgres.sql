-- spine:description undo 0001_dead_letter_queue
DROP INDEX IF EXISTS idx_dlq_source;
DROP INDEX IF EXISTS idx_dlq_next_retry;
DROP INDEX IF EXISTS idx_dlq_status;
DROP TABLE IF EXISTS dead_letter_queue;
