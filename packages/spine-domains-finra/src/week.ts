import { Temporal } from 'temporal-polyfill';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { FinraTier } from './tiers.js';

/**
 * Days between the Monday a week starts and the Monday FINRA publishes it:
 * two weeks after the week ends for NMS Tier 1, four weeks for NMS Tier 2 and
 * OTC (DESIGN.md "Three clocks"; the Tier 1 lag is confirmed by the API's
 * initialPublishedDate − weekStartDate in ../shared/data/finra_otc).
 */
export const PUBLICATION_LAG_DAYS: Readonly<Record<FinraTier, number>> = {
  NMS_TIER_1: 21,
  NMS_TIER_2: 35,
  OTC: 35,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date parsed from `YYYY-MM-DD`, or undefined when it is not one (e.g. 2025-02-30). */
export function parseIsoDate(value: string): Temporal.PlainDate | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  try {
    return Temporal.PlainDate.from(value, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

/** True when the date is a Friday (ISO day of week 5). */
export function isFriday(date: Temporal.PlainDate): boolean {
  return date.dayOfWeek === 5;
}

/**
 * The week a FINRA website export covers, derived from its publication date
 * (`lastUpdateDate`): the Monday of the publication week minus the tier's lag
 * is the week's Monday; week_ending is that Monday + 4 days (the Friday).
 * A publication on the Tuesday after a Monday holiday maps to the same week.
 *
 * @param publicationDate FINRA's lastUpdateDate of the first publication, `YYYY-MM-DD`
 * @returns week_ending as `YYYY-MM-DD`
 * @throws SpineError `INVALID_ARGUMENT` when the date is not a calendar date
 */
export function deriveWeekEnding(publicationDate: string, tier: FinraTier): string {
  const date = parseIsoDate(publicationDate);
  if (!date) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Not a calendar date: ${JSON.stringify(publicationDate)}.`);
  }
  const publicationMonday = date.subtract({ days: date.dayOfWeek - 1 });
  return weekEndingFromWeekStart(publicationMonday.subtract({ days: PUBLICATION_LAG_DAYS[tier] }).toString());
}

/**
 * The week_ending of a FINRA week given by its Monday (the Query API's
 * `weekStartDate`): that Monday + 4 days, the Friday — the same convention
 * {@link deriveWeekEnding} applies to a website export's publication date.
 *
 * @param weekStartDate `YYYY-MM-DD`, a Monday
 * @returns week_ending as `YYYY-MM-DD`
 * @throws SpineError `INVALID_ARGUMENT` when the date is not a calendar date or not a Monday
 */
export function weekEndingFromWeekStart(weekStartDate: string): string {
  const date = parseIsoDate(weekStartDate);
  if (!date || date.dayOfWeek !== 1) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Not a Monday: ${JSON.stringify(weekStartDate)}; a FINRA week starts on Monday.`);
  }
  return date.add({ days: 4 }).toString();
}

/**
 * Validates a week_ending given by a user (`--week-ending`).
 *
 * @returns the date unchanged
 * @throws SpineError `INVALID_ARGUMENT` when it is not a `YYYY-MM-DD` Friday
 */
export function parseWeekEnding(value: string): string {
  const date = parseIsoDate(value.trim());
  if (!date) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Invalid week ending ${JSON.stringify(value)}: expected a date as YYYY-MM-DD.`);
  }
  if (!isFriday(date)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Week ending ${date.toString()} is a ${date.toLocaleString('en-US', { weekday: 'long' })}, not a Friday.`, {
      hint: 'FINRA weeks end on Friday; pass the Friday of the trading week.',
    });
  }
  return date.toString();
}

/** The six week endings of the rolling window that ends at `weekEnding`, oldest first. */
export function rollingWindow(weekEnding: string, weeks = 6): string[] {
  const end = Temporal.PlainDate.from(weekEnding);
  return Array.from({ length: weeks }, (_, i) => end.subtract({ days: 7 * (weeks - 1 - i) }).toString());
}
