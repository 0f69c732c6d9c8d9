import { packageMigrationSource } from '@market-spine/core';
import type { MigrationSource } from '@market-spine/core';

/** This package's migrations (the FINRA OTC transparency tables and views); they run after spine-core's. */
export function finraMigrationSource(): MigrationSource {
  return packageMigrationSource(import.meta.url, 'domains-finra', ['core']);
}
