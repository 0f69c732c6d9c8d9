import { ErrorCode, SpineError } from '../errors.js';

/**
 * Deployment tiers, in order (seed 003 "New Tables by Tier"): a tier includes
 * every tier before it.
 */
export const TIERS = ['basic', 'intermediate', 'advanced'] as const;

/** One of {@link TIERS}. */
export type Tier = (typeof TIERS)[number];

/** True when `value` names a tier exactly. */
export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

/**
 * Parses a tier name (case-insensitive).
 *
 * @throws SpineError `INVALID_TIER` listing the valid tiers
 */
export function parseTier(value: string): Tier {
  const lower = value.trim().toLowerCase();
  if (isTier(lower)) return lower;
  throw new SpineError(ErrorCode.INVALID_TIER, `Unknown tier ${JSON.stringify(value)}.`, {
    hint: `Use one of: ${TIERS.join(', ')}.`,
  });
}

/** The tiers a database configured for `tier` receives: `tier` and every tier before it. */
export function tiersUpTo(tier: Tier): Tier[] {
  return TIERS.slice(0, TIERS.indexOf(tier) + 1);
}

/** Position of a tier in apply order (basic 0, intermediate 1, advanced 2). */
export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}
