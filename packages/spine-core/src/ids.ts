import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/**
 * A new identifier: a ULID (26 characters, Crockford base32) that sorts by
 * creation time and, within one process, strictly increases — so ordering
 * captures by id agrees with ordering them by time.
 *
 * @param prefix short tag such as `cap` or `exe`, joined with `_`
 */
export function newId(prefix: string): string {
  return `${prefix}_${nextUlid()}`;
}

/** The current instant as ISO-8601 UTC with milliseconds (`2025-11-14T20:00:00.000Z`). */
export function nowIso(): string {
  return new Date().toISOString();
}
