import { z } from 'zod';
import { ErrorCode, IDENTIFIER_PATTERN, SpineError } from '@market-spine/core';
import { CALC_VERSION_PATTERN, sortCalcVersions } from './calc-version.js';

/** Tables of this domain follow seed 000's `{domain}_{entity}_{grain}` naming. */
export const TABLE_PREFIX = 'finra_otc_transparency_';

/**
 * PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN − 1, "Identifiers
 * and Key Words"); two views whose names agree on those bytes are one view there.
 */
const POSTGRES_NAME_BYTES = 63;

const identifier = z.string().regex(IDENTIFIER_PATTERN, 'must be a lower_snake_case identifier');
const version = z.string().regex(CALC_VERSION_PATTERN, 'must look like v1, v2, …');

/**
 * The view of a calculation's rows, newest capture of each (week, tier):
 * `<table>_latest` for the current version, `<table>_<version>_latest` for
 * one version (seed 000 "Calculation Versioning").
 */
export function latestView(calc: Pick<CalcEntry, 'table'>, version?: string): string {
  return version === undefined ? `${calc.table}_latest` : `${calc.table}_${version}_latest`;
}

/** One calculation of the CALCS registry (seed 000 "Category 1" pattern and "Calculation Versioning"). */
export const CalcEntrySchema = z
  .object({
    /** Versions that may have rows in the table, e.g. `["v1", "v2"]`; kept oldest first. */
    versions: z.array(version).min(1),
    /** The version `*_latest` views and the pipeline's later stages read. */
    current: z.string(),
    /** Versions kept for history: no longer written, and reading them warns. */
    deprecated: z.array(z.string()).default([]),
    /** The table the calculation writes to. */
    table: identifier.refine((t) => t.startsWith(TABLE_PREFIX) && t.length > TABLE_PREFIX.length, {
      message: `must be named ${TABLE_PREFIX}<entity>[_<grain>]`,
    }),
    /** Columns that identify a row within one version and capture. */
    business_keys: z.array(identifier).min(1, 'must list at least one column'),
    description: z.string().min(1),
    /** Per version: what it computes differently from the others, and why it was added. */
    version_notes: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const listed = `[${entry.versions.join(', ')}]`;
    const repeated = entry.versions.filter((v, i) => entry.versions.indexOf(v) !== i);
    if (repeated.length > 0) ctx.addIssue({ code: 'custom', path: ['versions'], message: `lists ${[...new Set(repeated)].join(', ')} more than once` });
    if (!entry.versions.includes(entry.current)) {
      ctx.addIssue({ code: 'custom', path: ['current'], message: `${entry.current} is not one of versions ${listed}` });
    }
    if (entry.deprecated.includes(entry.current)) {
      ctx.addIssue({ code: 'custom', path: ['current'], message: `${entry.current} is deprecated; the current version cannot be` });
    }
    for (const v of entry.deprecated) {
      if (!entry.versions.includes(v)) ctx.addIssue({ code: 'custom', path: ['deprecated'], message: `${v} is not one of versions ${listed}` });
    }
    for (const v of Object.keys(entry.version_notes)) {
      if (!entry.versions.includes(v)) ctx.addIssue({ code: 'custom', path: ['version_notes', v], message: `${v} is not one of versions ${listed}` });
    }
    // Identifiers are ASCII, so 63 characters are 63 bytes.
    const views = [latestView(entry), ...entry.versions.map((v) => latestView(entry, v))];
    const seen = new Map<string, string>();
    for (const view of views) {
      const stored = view.slice(0, POSTGRES_NAME_BYTES);
      const other = seen.get(stored);
      if (other !== undefined && other !== view) {
        ctx.addIssue({ code: 'custom', path: ['versions'], message: `views ${other} and ${view} share PostgreSQL's 63-byte name ${stored}; use a shorter table name` });
      }
      seen.set(stored, view);
    }
  })
  .transform((entry) => ({ ...entry, versions: sortCalcVersions(entry.versions), deprecated: sortCalcVersions(entry.deprecated) }));

/** A validated CALCS entry. */
export type CalcEntry = z.infer<typeof CalcEntrySchema>;

/** A validated registry: calc name → entry. */
export type CalcRegistry = Readonly<Record<string, CalcEntry>>;

/** One broken invariant: the calculation, the key at fault (`current`, `business_keys.0`, …) and why. */
export interface CalcProblem {
  readonly calc: string;
  readonly key: string;
  readonly message: string;
}

/** Outcome of {@link validateCalcs}. */
export type CalcsValidation = { readonly status: 'valid'; readonly calcs: CalcRegistry } | { readonly status: 'invalid'; readonly problems: readonly CalcProblem[] };

/**
 * Checks a CALCS registry given as data: calc names are identifiers and every
 * entry keeps the invariants — current ∈ versions, current ∉ deprecated,
 * deprecated ⊆ versions, versions listed once, non-empty business keys, the
 * table named `finra_otc_transparency_<entity>[_<grain>]`, and view names that
 * stay distinct in PostgreSQL's 63-byte identifiers.
 */
export function validateCalcs(input: Readonly<Record<string, unknown>>): CalcsValidation {
  const problems: CalcProblem[] = [];
  const calcs: Record<string, CalcEntry> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!IDENTIFIER_PATTERN.test(name)) problems.push({ calc: name, key: '(name)', message: 'calc name must be a lower_snake_case identifier' });
    const parsed = CalcEntrySchema.safeParse(value);
    if (parsed.success) calcs[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push({ calc: name, key: issue.path.join('.') || '(entry)', message: issue.message });
  }
  return problems.length > 0 ? { status: 'invalid', problems } : { status: 'valid', calcs };
}

/** A problem as one line: `symbol_rolling_6w.current: v3 is not one of versions [v1, v2]`. */
export function formatCalcProblem(problem: CalcProblem): string {
  return `${problem.key === '(name)' ? JSON.stringify(problem.calc) : `${problem.calc}.${problem.key}`}: ${problem.message}`;
}

/**
 * Validates a CALCS registry (see {@link validateCalcs}) and returns it typed.
 *
 * @throws SpineError `REGISTRY_INVALID` naming each calc and key at fault
 */
export function defineCalcs<const T extends Record<string, unknown>>(input: T): { readonly [K in keyof T]: CalcEntry } {
  const result = validateCalcs(input);
  if (result.status === 'invalid') {
    const lines = result.problems.map(formatCalcProblem);
    throw new SpineError(ErrorCode.REGISTRY_INVALID, `The CALCS registry is invalid: ${lines.join('; ')}.`, {
      details: { problems: lines },
      hint: 'Fix the registry entry named above (packages/spine-domains-finra/src/calcs.ts); `spine calcs validate` checks it.',
    });
  }
  return result.calcs as { readonly [K in keyof T]: CalcEntry };
}

/** The FINRA OTC transparency calculations: what each computes, where it lives, and its versions. */
export const CALCS = defineCalcs({
  weekly_symbol_venue_volume: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_weekly_symbol_venue_volume',
    business_keys: ['week_ending', 'tier', 'symbol', 'mpid'],
    description: 'Normalized weekly volume (shares) and trades per symbol and venue (MPID).',
  },
  symbol_summary: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_symbol_summary',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Per symbol and week: total volume, total trades, venue count, average trade size.',
  },
  weekly_symbol_venue_share: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_weekly_symbol_venue_share',
    business_keys: ['week_ending', 'tier', 'symbol', 'mpid'],
    description: "Each venue's share (0-1) of a symbol's weekly volume, with its rank for the symbol.",
  },
  venue_market_share: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_venue_share',
    business_keys: ['week_ending', 'tier', 'mpid'],
    description: "Each venue's share (0-1) of the tier's weekly volume, with rank.",
  },
  venue_concentration_hhi: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_weekly_symbol_venue_concentration_hhi',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Herfindahl-Hirschman index of venue concentration per symbol: sum of squared venue shares (0-1).',
  },
  symbol_rolling_6w: {
    versions: ['v1', 'v2'],
    // v1 stays current: it is DESIGN.md's trend rule, and research_snapshot's
    // rolling_trend_direction is read from the current version. v2 is written
    // beside it (seed 000: "A/B testing easy, gradual migration").
    current: 'v1',
    table: 'finra_otc_transparency_symbol_rolling_6w',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Six-week rolling average volume and trades per symbol, trend (UP/DOWN/FLAT beyond ±5 %), window completeness.',
    version_notes: {
      v1: 'Trend: last week of the window against its first loaded week.',
      v2:
        'Trend: last week against the mean of the earlier loaded weeks of the window (absent weeks count as zero volume). ' +
        'v1 compares two single weeks, so one unusual week at the start of the window (a block print, a holiday week) ' +
        'decides the trend for the next five weeks; v2 asks whether the week is above or below the symbol\'s recent normal. ' +
        'Averages, window and completeness are as in v1; trend_pct is NULL when there is no earlier week or the earlier weeks had no volume.',
    },
  },
  research_snapshot: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_research_snapshot',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Research-ready row per symbol and week: totals, top venue, HHI, rolling metrics, quality status (seed 001).',
  },
  weekly_symbol_total: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_weekly_symbol_total',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description:
      "FINRA's own weekly ATS totals per symbol (Query API ATS_W_SMBL records): volume (shares), trades, average trade size, notional, " +
      'with initialPublishedDate / lastUpdateDate and a revision flag. Never summed with venue rows; no venue shares or HHI come from it.',
  },
  symbol_total_rolling_6w: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_symbol_total_rolling_6w',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description:
      'Six-week rolling average volume and trades of the weekly symbol totals, trend (first vs last week of the window, UP/DOWN/FLAT beyond ±5 %), ' +
      "window completeness; the window is the symbol's weeks with a record.",
  },
});

/** Names of the registered calculations. */
export type CalcName = keyof typeof CALCS;

/**
 * The registry entry of a calculation.
 *
 * @param registry the registry to look in (default {@link CALCS})
 * @throws SpineError `INVALID_ARGUMENT` for an unknown name, listing the known ones
 */
export function getCalc(name: string, registry: CalcRegistry = CALCS): CalcEntry & { readonly name: string } {
  if (!Object.hasOwn(registry, name)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unknown calculation ${JSON.stringify(name)}.`, {
      hint: `Known calculations: ${Object.keys(registry).join(', ')}.`,
    });
  }
  return { ...(registry[name] as CalcEntry), name };
}

/**
 * The versions the pipeline writes for a calculation: every version that is
 * not deprecated, oldest first. All of them are written so that switching
 * `current` back and forth (seed 000: "rollback trivial") finds every week
 * computed; deprecated versions keep their rows but get no new ones.
 */
export function writtenVersions(calc: Pick<CalcEntry, 'versions' | 'deprecated'>): string[] {
  return calc.versions.filter((v) => !calc.deprecated.includes(v));
}
