import { z } from 'zod';
import { ErrorCode, IDENTIFIER_PATTERN, SpineError } from '@market-spine/core';

/** Tables of this domain follow seed 000's `{domain}_{entity}_{grain}` naming. */
export const TABLE_PREFIX = 'finra_otc_transparency_';

const identifier = z.string().regex(IDENTIFIER_PATTERN, 'must be a lower_snake_case identifier');

/** One calculation of the CALCS registry (seed 000 "Category 1" pattern). */
export const CalcEntrySchema = z
  .object({
    /** Versions that may have rows in the table, e.g. `["v1", "v2"]`. */
    versions: z.array(z.string().regex(/^v[1-9]\d*$/, 'must look like v1, v2, …')).min(1),
    /** The version `*_latest` views and readers use. */
    current: z.string(),
    /** Versions kept for history; reading them warns. */
    deprecated: z.array(z.string()).default([]),
    /** The table the calculation writes to. */
    table: identifier.refine((t) => t.startsWith(TABLE_PREFIX) && t.length > TABLE_PREFIX.length, {
      message: `must be named ${TABLE_PREFIX}<entity>[_<grain>]`,
    }),
    /** Columns that identify a row within one version and capture. */
    business_keys: z.array(identifier).min(1, 'must list at least one column'),
    description: z.string().min(1),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (!entry.versions.includes(entry.current)) {
      ctx.addIssue({ code: 'custom', path: ['current'], message: `${entry.current} is not one of versions [${entry.versions.join(', ')}]` });
    }
    if (entry.deprecated.includes(entry.current)) {
      ctx.addIssue({ code: 'custom', path: ['current'], message: `${entry.current} is deprecated; the current version cannot be` });
    }
    for (const version of entry.deprecated) {
      if (!entry.versions.includes(version)) {
        ctx.addIssue({ code: 'custom', path: ['deprecated'], message: `${version} is not one of versions [${entry.versions.join(', ')}]` });
      }
    }
  });

/** A validated CALCS entry. */
export type CalcEntry = z.infer<typeof CalcEntrySchema>;

/**
 * Validates a CALCS registry: calc names are identifiers and every entry
 * keeps the invariants (current ∈ versions, current ∉ deprecated,
 * deprecated ⊆ versions, non-empty business keys, table naming).
 *
 * @throws SpineError `REGISTRY_INVALID` naming each calc and key at fault
 */
export function defineCalcs<const T extends Record<string, unknown>>(input: T): { readonly [K in keyof T]: CalcEntry } {
  const problems: string[] = [];
  const output: Record<string, CalcEntry> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!IDENTIFIER_PATTERN.test(name)) problems.push(`${JSON.stringify(name)}: calc name must be a lower_snake_case identifier`);
    const parsed = CalcEntrySchema.safeParse(value);
    if (parsed.success) output[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`${name}.${issue.path.join('.') || '(entry)'}: ${issue.message}`);
  }
  if (problems.length > 0) {
    throw new SpineError(ErrorCode.REGISTRY_INVALID, `The CALCS registry is invalid: ${problems.join('; ')}.`, { details: { problems } });
  }
  return output as { readonly [K in keyof T]: CalcEntry };
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
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_symbol_rolling_6w',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Six-week rolling average volume and trades per symbol, trend (UP/DOWN/FLAT beyond ±5 %), window completeness.',
  },
  research_snapshot: {
    versions: ['v1'],
    current: 'v1',
    table: 'finra_otc_transparency_research_snapshot',
    business_keys: ['week_ending', 'tier', 'symbol'],
    description: 'Research-ready row per symbol and week: totals, top venue, HHI, rolling metrics, quality status (seed 001).',
  },
});

/** Names of the registered calculations. */
export type CalcName = keyof typeof CALCS;

/**
 * The registry entry of a calculation.
 *
 * @throws SpineError `INVALID_ARGUMENT` for an unknown name, listing the known ones
 */
export function getCalc(name: string): CalcEntry & { readonly name: CalcName } {
  if (!Object.hasOwn(CALCS, name)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unknown calculation ${JSON.stringify(name)}.`, {
      hint: `Known calculations: ${Object.keys(CALCS).join(', ')}.`,
    });
  }
  return { ...CALCS[name as CalcName], name: name as CalcName };
}
