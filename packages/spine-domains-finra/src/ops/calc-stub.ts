import { IDENTIFIER_PATTERN } from '@market-spine/core';
import { TABLE_PREFIX } from '../calcs.js';

/** Columns that identify a row of a calculation, in the order CALCS lists them (seed 000 "Identifiers", "Temporal Columns"). */
const KEY_COLUMNS = ['week_ending', 'trade_date', 'tier', 'symbol', 'mpid'] as const;

/** A CALCS entry to complete, for a table promoted from a scratch table. */
export interface CalcEntryStub {
  /** The calc name: the table name without {@link TABLE_PREFIX}. */
  readonly name: string;
  /** The entry as TypeScript, to paste into `CALCS` in src/calcs.ts. */
  readonly text: string;
}

/**
 * The CALCS entry of a promoted FINRA table, for the developer to complete
 * (seed 000 "Promotion checklist": "Add to CALCS registry"): version v1,
 * the table, the business keys among the table's columns, and a
 * description to write.
 *
 * @returns null when the table is not named like a FINRA table (`finra_otc_transparency_<entity>`)
 */
export function calcEntryStub(table: string, columns: readonly string[]): CalcEntryStub | null {
  const name = table.startsWith(TABLE_PREFIX) ? table.slice(TABLE_PREFIX.length) : '';
  if (!IDENTIFIER_PATTERN.test(name)) return null;
  const keys = KEY_COLUMNS.filter((c) => columns.includes(c));
  const text = [
    `  ${name}: {`,
    "    versions: ['v1'],",
    "    current: 'v1',",
    `    table: '${table}',`,
    `    business_keys: [${keys.map((k) => `'${k}'`).join(', ')}],${keys.length === 0 ? ' // list the columns that identify a row' : ''}`,
    "    description: 'Describe what it computes, with units (shares, trades, fractions 0-1).',",
    '  },',
  ].join('\n');
  return { name, text };
}
