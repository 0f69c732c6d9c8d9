import { packageMigrationSource } from '@market-spine/core';
import type { MigrationSource } from '@market-spine/core';

/**
 * This package's migrations: the v1 baseline of the risk manager's state
 * database and the v2 phases of seed 004. They live in their own database
 * (`data/state.db`), apart from spine-core's tables, so they depend on nothing.
 */
export function riskMigrationSource(): MigrationSource {
  return packageMigrationSource(import.meta.url, 'domains-risk');
}
