import { ErrorCode, SpineError } from '@market-spine/core';

/**
 * A row-level rule mirroring a database CHECK constraint, so a domain can
 * refuse a bad row before insert, with the reason code it stores for rejects
 * (seed 001: rejects with reason codes). As in SQL, where a CHECK passes on
 * NULL, a null or missing value passes every rule except `not_empty`:
 * - `non_negative`: a finite number (or bigint) >= 0 — `CHECK (col >= 0)`;
 * - `not_empty`: a string with a non-blank character — `NOT NULL CHECK (TRIM(col) <> '')`;
 * - `pattern`: a string `pattern` matches (anchor it with `^…$` to match whole values);
 * - `between`: a finite number (or bigint) within `min`/`max`, inclusive — `CHECK (col BETWEEN …)`;
 * - `one_of`: strictly equal to one of `values` — `CHECK (col IN (…))`.
 */
export interface RowRule {
  readonly column: string;
  readonly rule: 'non_negative' | 'not_empty' | 'pattern' | 'between' | 'one_of';
  /** Required for `pattern`. */
  readonly pattern?: RegExp;
  /** Lower bound for `between` (give `min`, `max` or both). */
  readonly min?: number;
  /** Upper bound for `between`. */
  readonly max?: number;
  /** Required for `one_of`. */
  readonly values?: readonly (string | number)[];
  /** Reason code the domain stores for a refused row, e.g. `NEGATIVE_VOLUME`. */
  readonly code: string;
  /** Replaces the generated detail of a violation. */
  readonly message?: string;
}

/** One broken rule: the column, the rule's reason code and a sentence saying why. */
export interface RowViolation {
  readonly column: string;
  readonly code: string;
  readonly detail: string;
}

/** The outcome of {@link validateRow}. */
export type RowValidation = { readonly ok: true } | { readonly ok: false; readonly violations: readonly RowViolation[] };

/**
 * Checks a row against the rules.
 *
 * @param rules the rules, in the order violations are reported
 * @param row column name → value, as it would be inserted
 * @returns `{ ok: true }`, or every violation in rule order (the first is the reject reason)
 * @throws SpineError `REGISTRY_INVALID` when a rule lacks its parameter
 *   (`pattern` without `pattern`, `between` without bounds, `one_of` without values)
 */
export function validateRow(rules: readonly RowRule[], row: Readonly<Record<string, unknown>>): RowValidation {
  const violations: RowViolation[] = [];
  for (const rule of rules) {
    const problem = check(rule, row[rule.column]);
    if (problem !== null) violations.push({ column: rule.column, code: rule.code, detail: rule.message ?? `${rule.column} ${problem}` });
  }
  return violations.length === 0 ? { ok: true } : { ok: false, violations };
}

/** Why the value breaks the rule (completing "column …"), or null when it passes. */
function check(rule: RowRule, value: unknown): string | null {
  // NULL passes a SQL CHECK; only not_empty also stands for NOT NULL.
  const absent = value === null || value === undefined;
  switch (rule.rule) {
    case 'not_empty':
      return typeof value === 'string' && value.trim() !== '' ? null : `is ${describe(value)}; it must be a non-empty string`;
    case 'non_negative':
      return absent || (isNumber(value) && value >= 0) ? null : `is ${describe(value)}; it must be a number >= 0`;
    case 'pattern': {
      const pattern = rule.pattern ?? invalidRule(rule, 'pattern');
      // search() ignores the `g` flag's lastIndex, so a shared global RegExp gives the same answer every time.
      return absent || (typeof value === 'string' && value.search(pattern) !== -1) ? null : `is ${describe(value)}; it must match ${String(pattern)}`;
    }
    case 'between': {
      const { min, max } = rule;
      if (min === undefined && max === undefined) invalidRule(rule, 'min or max');
      const inRange = isNumber(value) && (min === undefined || value >= min) && (max === undefined || value <= max);
      return absent || inRange ? null : `is ${describe(value)}; it must be a number ${rangeText(min, max)}`;
    }
    case 'one_of': {
      const values = rule.values ?? invalidRule(rule, 'values');
      return absent || values.some((v) => v === value) ? null : `is ${describe(value)}; it must be one of ${values.map(describe).join(', ')}`;
    }
  }
}

/** A finite number or a bigint: NaN and ±Infinity break numeric rules. */
function isNumber(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  return min !== undefined ? `>= ${min}` : `<= ${String(max)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

function invalidRule(rule: RowRule, missing: string): never {
  throw new SpineError(ErrorCode.REGISTRY_INVALID, `Row rule ${rule.code} (${rule.rule} on ${rule.column}) is invalid: ${missing} is required.`, {
    hint: `Give the ${rule.rule} rule its ${missing}.`,
    details: { column: rule.column, code: rule.code, rule: rule.rule },
  });
}
