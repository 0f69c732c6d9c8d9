import { ErrorCode, IDENTIFIER_PATTERN, SpineError } from '@market-spine/core';
import { z } from 'zod';

/** A name that reaches SQL as an identifier (table or column); core's {@link IDENTIFIER_PATTERN}. */
const Identifier = z.string().regex(IDENTIFIER_PATTERN, {
  error: `must be an identifier matching ${IDENTIFIER_PATTERN.source} (lower-case letters, digits, underscores)`,
});

const ColumnList = z
  .array(Identifier)
  .min(1, { error: 'must name at least one column' })
  .refine((columns) => new Set(columns).size === columns.length, { error: 'must not repeat a column' });

/** The three categories of seed 001's "Quality Check Names" table. */
export const QUALITY_CATEGORIES = ['INTEGRITY', 'COMPLETENESS', 'BUSINESS_RULE'] as const;
/** What a check's failure means: `FAIL` blocks, `WARN` reports only. */
export const QUALITY_SEVERITIES = ['FAIL', 'WARN'] as const;

/** Category of a check (seed 001): `INTEGRITY`, `COMPLETENESS` or `BUSINESS_RULE`. */
export type QualityCategory = (typeof QUALITY_CATEGORIES)[number];
/** Severity of a check: the status it reports when it does not pass. */
export type QualitySeverity = (typeof QUALITY_SEVERITIES)[number];

/**
 * How many failures a check tolerates before it stops passing: at most
 * `maxFailedRows` rows (an integer), or at most `maxFailedPercent` percent
 * (0–100) of the rows checked. Give one of the two; without a threshold no
 * failure is tolerated.
 */
const ThresholdSchema = z
  .strictObject({
    maxFailedRows: z.number().int().min(0).optional(),
    maxFailedPercent: z.number().min(0).max(100).optional(),
  })
  .refine((t) => t.maxFailedRows === undefined || t.maxFailedPercent === undefined, {
    error: 'give maxFailedRows or maxFailedPercent, not both',
  });

/** A check's failure threshold (see {@link QualityCheck}); absent means zero failures allowed. */
export type CheckThreshold = z.output<typeof ThresholdSchema>;

const commonFields = {
  /** Stable name stored in `check_name` (seed 001 names such as `no_negative_volumes`). */
  name: Identifier,
  category: z.enum(QUALITY_CATEGORIES),
  severity: z.enum(QUALITY_SEVERITIES).default('FAIL'),
  /** The table (or view) checked. */
  table: Identifier,
  description: z.string().min(1).optional(),
  threshold: ThresholdSchema.optional(),
  /** Columns whose values identify a failing row in `sample_keys` (up to 5 samples). */
  sampleKeyColumns: ColumnList.optional(),
};

/** Optional numeric bounds, inclusive; at least one given and `min <= max`. */
const bounds = {
  min: z.number().optional(),
  max: z.number().optional(),
};
function checkBounds(value: { min?: number | undefined; max?: number | undefined }, ctx: z.RefinementCtx): void {
  if (value.min === undefined && value.max === undefined) {
    ctx.addIssue({ code: 'custom', path: ['min'], message: 'give min, max or both' });
  } else if (value.min !== undefined && value.max !== undefined && value.min > value.max) {
    ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${value.min}) must not exceed max (${value.max})` });
  }
}

/** Refuses a field that has no meaning for the kind, instead of ignoring it silently. */
function refuse(ctx: z.RefinementCtx, path: string[], why: string): void {
  ctx.addIssue({ code: 'custom', path, message: why });
}

const NotNullCheck = z.strictObject({ ...commonFields, kind: z.literal('not_null'), columns: ColumnList });

const UniqueCheck = z.strictObject({ ...commonFields, kind: z.literal('unique'), columns: ColumnList });

const NonNegativeCheck = z.strictObject({ ...commonFields, kind: z.literal('non_negative'), column: Identifier });

const AcceptedValuesCheck = z.strictObject({
  ...commonFields,
  kind: z.literal('accepted_values'),
  column: Identifier,
  values: z.array(z.union([z.string(), z.number()])).min(1, { error: 'must list at least one value' }),
});

const RangeCheck = z
  .strictObject({ ...commonFields, kind: z.literal('range'), column: Identifier, ...bounds })
  .superRefine(checkBounds);

const SumToCheck = z
  .strictObject({
    ...commonFields,
    kind: z.literal('sum_to'),
    column: Identifier,
    groupBy: z
      .array(Identifier)
      .refine((columns) => new Set(columns).size === columns.length, { error: 'must not repeat a column' })
      .default([]),
    target: z.number(),
    tolerance: z.number().min(0, { error: 'tolerance must be >= 0' }),
  })
  .superRefine((check, ctx) => {
    // The failing groups are identified by their groupBy values.
    if (check.sampleKeyColumns !== undefined) refuse(ctx, ['sampleKeyColumns'], 'sum_to samples its failing groups by groupBy');
  });

const RowCountCheck = z
  .strictObject({ ...commonFields, kind: z.literal('row_count'), ...bounds, distinct: Identifier.optional() })
  .superRefine((check, ctx) => {
    checkBounds(check, ctx);
    // A count has no failing rows to tolerate or sample.
    if (check.threshold !== undefined) refuse(ctx, ['threshold'], 'row_count compares a count with its bounds; it takes no threshold');
    if (check.sampleKeyColumns !== undefined) refuse(ctx, ['sampleKeyColumns'], 'row_count has no failing rows to sample');
  });

const CompletenessCheck = z.strictObject({
  ...commonFields,
  kind: z.literal('completeness'),
  column: Identifier,
  min: z.number(),
});

const ReferentialCheck = z
  .strictObject({
    ...commonFields,
    kind: z.literal('referential'),
    columns: ColumnList,
    references: z.strictObject({ table: Identifier, columns: ColumnList }),
  })
  .superRefine((check, ctx) => {
    if (check.references.columns.length !== check.columns.length) {
      refuse(ctx, ['references', 'columns'], `must name as many columns as columns (${check.columns.length})`);
    }
  });

const CustomSqlCheck = z
  .strictObject({
    ...commonFields,
    kind: z.literal('custom_sql'),
    sql: z.string().regex(/^\s*(select|with)\b/i, { error: 'must be a single SELECT (or WITH … SELECT) statement' }),
  })
  .superRefine((check, ctx) => {
    // The query reports failed rows only, so there is no total to take a percentage of.
    if (check.threshold?.maxFailedPercent !== undefined) {
      refuse(ctx, ['threshold', 'maxFailedPercent'], 'custom_sql reports no total row count; use maxFailedRows');
    }
    if (check.sampleKeyColumns !== undefined) refuse(ctx, ['sampleKeyColumns'], 'custom_sql returns counts, not rows to sample');
  });

/**
 * A declarative quality check (DESIGN.md "spine-quality"; names and
 * categories from seed 001 "Quality Check Names"), discriminated on `kind`.
 *
 * Every kind has `name`, `category`, `severity` (default `FAIL`), `table`,
 * optional `description`, `threshold` and `sampleKeyColumns`. Row kinds count
 * the rows of `table` that break the rule; NULL passes every rule except
 * `not_null` and `completeness`, as NULL passes a SQL CHECK constraint:
 * - `not_null` `{ columns }`: a row fails when any of the columns is NULL;
 * - `unique` `{ columns }`: a row fails when another row has the same non-NULL key
 *   (seed 001 `no_duplicate_natural_keys`); samples default to the key;
 * - `non_negative` `{ column }`: fails below 0 (`no_negative_volumes`);
 * - `accepted_values` `{ column, values }`: fails outside the list;
 * - `range` `{ column, min?, max? }`: fails outside the inclusive bounds;
 * - `sum_to` `{ column, groupBy, target, tolerance }`: each group's SUM must lie in
 *   `target ± tolerance` inclusive (`market_share_sum_100`); failures are counted in groups;
 * - `row_count` `{ min?, max?, distinct? }`: COUNT(*) or COUNT(DISTINCT distinct) within
 *   the inclusive bounds (`symbol_count_positive`, `venue_count_positive`);
 * - `completeness` `{ column, min }`: fails when the column is NULL or below `min`
 *   (`rolling_window_complete`: `weeks_in_window` >= 6);
 * - `referential` `{ columns, references: { table, columns } }`: a row with a
 *   fully non-NULL key that has no match in the referenced table fails;
 * - `custom_sql` `{ sql }`: a trusted SELECT returning one row with an integer
 *   `failed_rows` and optionally `check_value`; the run's scope is not applied to it.
 */
export const QualityCheckSchema = z.discriminatedUnion('kind', [
  NotNullCheck,
  UniqueCheck,
  NonNegativeCheck,
  AcceptedValuesCheck,
  RangeCheck,
  SumToCheck,
  RowCountCheck,
  CompletenessCheck,
  ReferentialCheck,
  CustomSqlCheck,
]);

/** A validated check (defaults applied), as {@link QualityCheckSchema} outputs it. */
export type QualityCheck = z.output<typeof QualityCheckSchema>;
/** A check as written by a domain, before defaults (`severity`, `groupBy`) are applied. */
export type QualityCheckInput = z.input<typeof QualityCheckSchema>;
/** The kinds of check. */
export type QualityCheckKind = QualityCheck['kind'];

/**
 * Validates a registry of checks.
 *
 * @param input check definitions, in order
 * @returns the parsed checks (defaults applied), in the same order
 * @throws SpineError `REGISTRY_INVALID` naming the offending check (name, or
 *   position when it has no valid name) and key, when a definition is invalid or a name is used twice
 */
export function defineChecks(input: readonly unknown[]): QualityCheck[] {
  const checks: QualityCheck[] = [];
  const positions = new Map<string, number>();
  input.forEach((definition, index) => {
    const parsed = QualityCheckSchema.safeParse(definition);
    if (!parsed.success) {
      const label = checkLabel(definition, index);
      const problems = parsed.error.issues.map((issue) => {
        // An unknown key's issue sits on the object; name the key itself (a typo, usually).
        const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')] : issue.path;
        return { key: path.map(String).join('.') || '(check)', message: issue.message };
      });
      throw new SpineError(
        ErrorCode.REGISTRY_INVALID,
        `Quality check ${label} is invalid: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}.`,
        { hint: 'Fix the check definition; see QualityCheckSchema for the fields of each kind.', details: { index, problems } },
      );
    }
    const check = parsed.data;
    const previous = positions.get(check.name);
    if (previous !== undefined) {
      throw new SpineError(
        ErrorCode.REGISTRY_INVALID,
        `Quality check "${check.name}" (#${index + 1}) is invalid: name: already used by check #${previous + 1}.`,
        { hint: 'Give every check a unique name: results are stored and reported by name.', details: { index, problems: [{ key: 'name', message: 'duplicate' }] } },
      );
    }
    positions.set(check.name, index);
    checks.push(check);
  });
  return checks;
}

/** `"name" (#n)` when the definition has a string name, else `#n` (1-based). */
function checkLabel(definition: unknown, index: number): string {
  const name = typeof definition === 'object' && definition !== null ? (definition as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? `${JSON.stringify(name)} (#${index + 1})` : `#${index + 1}`;
}
