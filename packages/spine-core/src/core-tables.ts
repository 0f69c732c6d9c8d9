/**
 * Kysely row types of spine-core's tables (basic tier), declared once so
 * callers get typed queries. Times are ISO-8601 UTC strings; JSON columns are
 * JSON text.
 */
export interface CoreExecutionsTable {
  execution_id: string;
  pipeline: string;
  domain: string | null;
  partition_key: string | null;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  params: string | null;
  parent_execution_id: string | null;
  batch_id: string | null;
  triggered_by: string;
  started_at: string;
  completed_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** A row of `core_manifest`: a stage reached by a partition. */
export interface CoreManifestTable {
  domain: string;
  partition_key: string;
  stage: string;
  capture_id: string | null;
  row_count_in: number | null;
  row_count_out: number | null;
  row_count_rejected: number | null;
  source_type: string | null;
  source_locator: string | null;
  source_sha256: string | null;
  source_bytes: number | null;
  execution_id: string;
  batch_id: string | null;
  metadata: string | null;
  updated_at: string;
}

/** A row of `core_load_records`: one loaded source, with its line accounting. */
export interface CoreLoadRecordsTable {
  load_id: string;
  domain: string;
  source_type: string;
  source_locator: string;
  source_sha256: string;
  source_bytes: number;
  source_format: string | null;
  status: 'LOADED' | 'FAILED';
  lines_total: number;
  rows_accepted: number;
  rows_rejected: number;
  partitions: string | null;
  execution_id: string;
  batch_id: string | null;
  started_at: string;
  completed_at: string | null;
  error_message: string | null;
}

/** A row of `core_quality_checks`. */
export interface CoreQualityChecksTable {
  check_id: number;
  domain: string;
  partition_key: string | null;
  pipeline: string;
  stage: string | null;
  capture_id: string | null;
  check_name: string;
  check_kind: string;
  category: 'INTEGRITY' | 'COMPLETENESS' | 'BUSINESS_RULE';
  severity: 'WARN' | 'FAIL';
  status: 'PASS' | 'WARN' | 'FAIL' | 'ERROR';
  check_value: string | null;
  expected_value: string | null;
  tolerance: string | null;
  message: string;
  failed_row_count: number | null;
  sample_keys: string | null;
  execution_id: string;
  batch_id: string | null;
  checked_at: string;
}

/** spine-core's tables, for `Kysely<CoreTables>`. */
export interface CoreTables {
  core_executions: CoreExecutionsTable;
  core_manifest: CoreManifestTable;
  core_load_records: CoreLoadRecordsTable;
  core_quality_checks: CoreQualityChecksTable;
}
