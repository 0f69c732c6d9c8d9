import { packageMigrationSource } from './migrations/source.js';
import type { MigrationSource } from './migrations/source.js';

/** spine-core's own migrations (core tables by tier, seed 003). */
export function coreMigrationSource(): MigrationSource {
  return packageMigrationSource(import.meta.url, 'core');
}
