export { ErrorCode, SpineError, errorMessage, isSpineError } from './errors.js';
export { IDENTIFIER_PATTERN, assertIdentifier, quoteIdentifier } from './identifiers.js';
export type {
  ColumnInfo,
  DialectCapabilities,
  DialectName,
  ParsedStatement,
  SchemaIntrospector,
  SchemaObjectRef,
  SchemaObjectType,
  SpineDialect,
  SqlExecutor,
  SqlValue,
  StatementAction,
  LockHolder,
  MigrationLock,
  MigrationLockOptions,
  TableRebuild,
  TableRebuildReport,
  TableRebuildSpec,
  ConsistencyChecks,
  DatabaseBackups,
} from './dialect/types.js';
export { SpineDb, databaseBackups, openSpineDb } from './spine-db.js';
export type { SpineDbOptions } from './spine-db.js';
export type { CoreExecutionsTable, CoreLoadRecordsTable, CoreManifestTable, CoreQualityChecksTable, CoreTables } from './core-tables.js';
export { newId, nowIso } from './ids.js';
export { finishExecution, startExecution } from './executions.js';
export type { ExecutionContext, ExecutionSpec } from './executions.js';
export { listManifest, recordStage } from './manifest.js';
export type { StageRecord } from './manifest.js';
export { TIERS, isTier, parseTier, tiersUpTo } from './migrations/tiers.js';
export type { Tier } from './migrations/tiers.js';
export { normalizeScript, scriptChecksum } from './migrations/checksum.js';
export { orderSources, packageMigrationSource } from './migrations/source.js';
export type { MigrationSource } from './migrations/source.js';
export { discoverMigrations, discoverSourceMigrations, loadMigration, parseDirectives } from './migrations/discovery.js';
export type { LoadedMigration, MigrationDefinition, MigrationDirectives } from './migrations/discovery.js';
export { LEDGER_TABLE, LOG_TABLE, readLedger, readLog } from './migrations/ledger.js';
export type { LedgerKind, LedgerRow, LogEvent, LogRow } from './migrations/ledger.js';
export { Migrator, selectMigrations } from './migrations/migrator.js';
export type {
  AppliedMigration,
  BaselineResult,
  MigrateResult,
  MigrationEvent,
  MigrationFailure,
  MigrationPlan,
  MigratorOptions,
  PlannedMigration,
  Refusal,
  RepairResult,
  RollbackResult,
  ValidationProblem,
  ValidationResult,
} from './migrations/migrator.js';
export { computeStatus, parseMigrationId } from './migrations/status.js';
export type { MigrationState, MigrationStatusEntry, MigrationStatusReport } from './migrations/status.js';
export { coreMigrationSource } from './core-migrations.js';
export { migrateOnOpen, migratorOptionsFromConfig } from './migrations/from-config.js';
export type { MigrateOnOpenOptions } from './migrations/from-config.js';
export { expectedSchema, isManagedObject, verifyDatabase } from './migrations/verify.js';
export type { VerifyCheck, VerifyResult } from './migrations/verify.js';
export { diffSchemas, filterSnapshot, serializeSnapshot } from './schema/schema-snapshot.js';
export type { ColumnSnapshot, DriftItem, IndexSnapshot, SchemaSnapshot, TableSnapshot } from './schema/schema-snapshot.js';
export { safetyBackup } from './backup/safety-backup.js';
export type { SafetyBackup, SafetyBackupPolicy } from './backup/safety-backup.js';
export type { BackupInfo } from './backup/backup-database.js';
export type { BackupListing } from './backup/list-backups.js';
export type { RetentionPolicy } from './backup/prune-backups.js';
export type { RestoreResult } from './backup/restore-backup.js';
export { assertDatabaseNotInUse } from './backup/database-in-use.js';
export { rebuildTable } from './dialect/sqlite/sqlite-rebuild.js';
export { parsePostgresTarget } from './dialect/postgres/pg-dialect.js';
export type { PostgresTarget } from './dialect/postgres/pg-dialect.js';
export { DB2_LEDGER_DDL, DB2_MIGRATIONS_TABLE, DB2_MIGRATION_LOG_TABLE } from './dialect/db2/db2-ledger.js';
export { DB2_SCRIPT_APPLIED_BY, db2MigrationScript, db2Plan } from './dialect/db2/db2-plan.js';
export type { Db2MigrationScript, Db2PlanOptions, Db2PlannedStatement } from './dialect/db2/db2-plan.js';
export { DB2_ONLY_MARKER, splitDb2Statements } from './dialect/db2/db2-statements.js';
export type { Db2Statement } from './dialect/db2/db2-statements.js';
export { DEFAULT_CONFIG_FILE, DEFAULT_DB_PATH, SpineConfigSchema, backupDirectory, configuredFeatures, configuredTier, loadConfig, resolveDatabaseTarget } from './config.js';
export type { LoadedConfig, SpineConfig } from './config.js';
