/**
 * `@market-spine/quality`: declarative CHECK-style data-quality checks whose
 * results are stored in `core_quality_checks`, and row rules that refuse bad
 * rows before insert (DESIGN.md "spine-quality"; check names and categories
 * from seed 001 "Quality Check Names").
 *
 * @packageDocumentation
 */

/** Check definitions: the zod schema of every kind, its types, and the registry validator `defineChecks` (throws `REGISTRY_INVALID`). */
export { QUALITY_CATEGORIES, QUALITY_SEVERITIES, QualityCheckSchema, defineChecks } from './check-schema.js';
/** Types of a check definition: validated (`QualityCheck`) and as written (`QualityCheckInput`). */
export type { CheckThreshold, QualityCategory, QualityCheck, QualityCheckInput, QualityCheckKind, QualitySeverity } from './check-schema.js';
/** Running checks: `runChecks` measures each check in a scope and never throws for a failing one; `worstStatus` orders statuses. */
export { runChecks, worstStatus } from './run-checks.js';
/** A run's scope, per-check results and overall status. */
export type { CheckScope, QualityResult, QualityRun, QualityStatus } from './run-checks.js';
/** Cap on the failing keys kept per result (`sample_keys`). */
export { MAX_SAMPLE_KEYS } from './check-queries.js';
/** The results store: `storeResults` writes a run to `core_quality_checks`, `readResults` reads it back newest first. */
export { DEFAULT_RESULTS_LIMIT, readResults, storeResults } from './store-results.js';
/** Where stored results belong, and how to select them. */
export type { ReadResultsFilter, StoreContext } from './store-results.js';
/** Row rules mirroring CHECK constraints: `validateRow` returns the violations of a row, in rule order. */
export { validateRow } from './row-rules.js';
/** A row rule, a violation, and the outcome of `validateRow`. */
export type { RowRule, RowValidation, RowViolation } from './row-rules.js';
