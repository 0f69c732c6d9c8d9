import { ErrorCode, SpineError } from '@market-spine/core';

/** FINRA OTC transparency tiers, as stored (DESIGN.md "Tiers"). */
export const FINRA_TIERS = ['NMS_TIER_1', 'NMS_TIER_2', 'OTC'] as const;

/** One of {@link FINRA_TIERS}. */
export type FinraTier = (typeof FINRA_TIERS)[number];

/**
 * Accepted spellings, compared after lower-casing and removing spaces,
 * underscores and hyphens: FINRA's descriptions ("NMS Tier 1", "NMS Tier 2",
 * "OTC"), its API identifiers (T1, T2, OTCE) and the short aliases
 * tier1/tier2/otc.
 */
const ALIASES: Readonly<Record<string, FinraTier>> = {
  nmstier1: 'NMS_TIER_1',
  tier1: 'NMS_TIER_1',
  t1: 'NMS_TIER_1',
  nmstier2: 'NMS_TIER_2',
  tier2: 'NMS_TIER_2',
  t2: 'NMS_TIER_2',
  otc: 'OTC',
  otce: 'OTC',
  otcequity: 'OTC',
};

/** The tier a spelling denotes, or undefined when it is not a known spelling. */
export function tierFromAlias(value: string): FinraTier | undefined {
  return ALIASES[value.toLowerCase().replace(/[\s_-]+/g, '')];
}

/**
 * Parses a tier given by a user (CLI option, config).
 *
 * @throws SpineError `INVALID_TIER` listing the accepted spellings
 */
export function parseFinraTier(value: string): FinraTier {
  const tier = tierFromAlias(value);
  if (tier) return tier;
  throw new SpineError(ErrorCode.INVALID_TIER, `Unknown FINRA tier ${JSON.stringify(value)}.`, {
    hint: 'Use NMS_TIER_1, NMS_TIER_2 or OTC (also "NMS Tier 1", tier1, T1, tier2, T2, otc, OTCE).',
  });
}
