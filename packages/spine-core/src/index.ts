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
} from './dialect/types.js';
export { SpineDb, openSpineDb } from './spine-db.js';
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
export { FAILURES_TABLE, LEDGER_TABLE, readFailures, readLedger } from './migrations/ledger.js';
export type { FailureRow, LedgerRow } from './migrations/ledger.js';
export { Migrator } from './migrations/migrator.js';
export type {
  AppliedMigration,
  MigrateResult,
  MigrationEvent,
  MigrationFailure,
  MigrationState,
  MigrationStatusEntry,
  MigrationStatusReport,
  MigratorOptions,
} from './migrations/migrator.js';
export { coreMigrationSource } from './core-migrations.js';
export { DEFAULT_CONFIG_FILE, DEFAULT_DB_PATH, SpineConfigSchema, configuredTier, loadConfig, resolveDatabaseTarget } from './config.js';
export type { LoadedConfig, SpineConfig } from './config.js';
