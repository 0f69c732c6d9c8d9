export { riskMigrationSource } from './migration-source.js';
export { RISK_SCHEMA_VERSION, V1_TABLE_NAMES, V2_REQUIRED_INDEXES, readRiskSchemaState } from './schema-version.js';
export type { RiskSchemaState } from './schema-version.js';
export { V1_BASELINE_MIGRATION, verifyRiskDatabase } from './verification.js';
export type { RiskVerification } from './verification.js';
export { PRE_V2_BACKUP_LABEL, RISK_UPGRADE_PHASES, upgradeRiskDatabase } from './upgrade.js';
export type { RiskPhaseNumber, RiskPhaseOutcome, RiskPlannedStep, RiskUpgradeEvent, RiskUpgradeOptions, RiskUpgradeResult, RiskUpgradeStage } from './upgrade.js';
export { rollbackRiskDatabase } from './rollback.js';
export type { RiskRollbackResult } from './rollback.js';
export { openRiskDb } from './open-risk-db.js';
export type { OpenRiskDbOptions, RiskDb } from './open-risk-db.js';
export type * from './tables.js';
export * from './models.js';
export { RiskRepository } from './repository.js';
export type { EnforceOptions, EnforcementCounts, EnforcementRequest, RiskRepositoryOptions } from './repository.js';
export {
  enforcementDetailsJson,
  enforcementLogFromRow,
  enforcementLogToRow,
  instantFromDb,
  orderFromRow,
  orderToRow,
  positionFromRow,
  positionToRow,
  tradeFromRow,
  tradeToRow,
} from './rows.js';
export type { EnforcementDetails } from './rows.js';
