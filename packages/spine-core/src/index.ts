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
  DatabaseMaintenance,
  FullScan,
  QueryPlan,
  RelationSize,
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
export { LEDGER_TABLE, LOG_TABLE, currentActor, readLedger, readLog } from './migrations/ledger.js';
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
export { expectedSchema, verifyDatabase } from './migrations/verify.js';
export { SCRATCH_PREFIXES, SCRATCH_REGISTRY_TABLE, isManagedObject, isScratchName, managedSnapshot } from './schema/managed-objects.js';
export type { VerifyCheck, VerifyResult } from './migrations/verify.js';
export { diffSchemas, filterSnapshot, serializeSnapshot } from './schema/schema-snapshot.js';
export type { ColumnSnapshot, DriftItem, IndexSnapshot, SchemaSnapshot, TableSnapshot } from './schema/schema-snapshot.js';
export { safetyBackup } from './backup/safety-backup.js';
export { renameDurably, syncFile } from './backup/durable-fs.js';
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
export { analyzeTables, databaseSizes, explainStatement, vacuumDatabase } from './ops/maintenance.js';
export type { AnalyzeResult, ExplainReport, SizesReport, VacuumResult } from './ops/maintenance.js';
export { assertScratchName, createScratch, dropScratch, listScratch } from './ops/scratch.js';
export type { CreateScratchResult, DropScratchResult, ScratchDefinition, ScratchObject } from './ops/scratch.js';
export { generatePromotion } from './ops/promote.js';
export type { PromotedColumn, PromotedIndex, PromotedType, PromotionOptions, PromotionResult } from './ops/promote.js';
export { DEFAULT_CONFIG_FILE, DEFAULT_DB_PATH, SpineConfigSchema, backupDirectory, configuredFeatures, configuredTier, loadConfig, resolveDatabaseTarget } from './config.js';
export type { LoadedConfig, SpineConfig } from './config.js';
export {
  BUNDLE_DIALECTS,
  BUNDLE_FORMAT,
  BUNDLE_MANIFEST_FILE,
  BUNDLE_SQL_FILES,
  BundleManifestSchema,
  bundleChecksum,
  bundleChecksumText,
  bundleMigrationIds,
  findBundleFolders,
  isBundleId,
  parseBundleId,
  readBundleManifest,
  serializeManifest,
} from './bundle/bundle-manifest.js';
export type { BundleChecksumInput, BundleFolder, BundleId, BundleManifest, BundleMigration, BundleSqlFile } from './bundle/bundle-manifest.js';
export { collectBundleCandidates } from './bundle/bundle-collect.js';
export type { BundleCandidate } from './bundle/bundle-collect.js';
export { buildBundle, bundleSpecFromManifest, planBundle, renderBundle } from './bundle/bundle-build.js';
export type { BuiltBundle, BundleBuildOptions, BundlePackage, BundleSpec, RenderedBundle } from './bundle/bundle-build.js';
export { renderBundleScript } from './bundle/bundle-sql.js';
export type { BundleScriptInput } from './bundle/bundle-sql.js';
export { verifyBundle } from './bundle/bundle-verify.js';
export type { BundleVerifyCheck, BundleVerifyResult } from './bundle/bundle-verify.js';
export { alreadyAppliedMessage, bundleGuard, bundleGuardRefusal, previousMissingMessage } from './bundle/bundle-guard.js';
export { bundleMigratorOptions } from './bundle/bundle-apply.js';
export { bundleStates } from './bundle/bundle-status.js';
export type { BundleState } from './bundle/bundle-status.js';
