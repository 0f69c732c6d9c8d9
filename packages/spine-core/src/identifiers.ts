import { ErrorCode, SpineError } from './errors.js';

/**
 * Strict pattern for names that reach SQL as identifiers (tables, views,
 * columns, calc names): lower-case ASCII letter first, then letters, digits
 * and underscores, at most 128 characters (DB2's limit for identifiers).
 */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,127}$/;

/**
 * Returns `name` unchanged when it matches {@link IDENTIFIER_PATTERN}.
 *
 * @param name candidate identifier
 * @param what what the name denotes, for the error message (e.g. "table")
 * @throws SpineError `INVALID_IDENTIFIER` when the name does not match
 */
export function assertIdentifier(name: string, what = 'identifier'): string {
  if (typeof name !== 'string' || !IDENTIFIER_PATTERN.test(name)) {
    throw new SpineError(ErrorCode.INVALID_IDENTIFIER, `Invalid ${what} name ${JSON.stringify(name)}.`, {
      hint: `A ${what} name must match ${IDENTIFIER_PATTERN.source} (lower-case letters, digits, underscores).`,
    });
  }
  return name;
}

/**
 * Quotes an identifier for SQL (standard double quotes, as SQLite, PostgreSQL
 * and DB2 all accept), after validating it with {@link assertIdentifier}.
 *
 * @throws SpineError `INVALID_IDENTIFIER`
 */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  return `"${assertIdentifier(name, what)}"`;
}

/**
 * Quotes any name as a delimited identifier: standard double quotes, an
 * inner quote doubled (SQLite, PostgreSQL and DB2 alike). Unlike
 * {@link quoteIdentifier} it validates nothing: for names read from the
 * catalog (which may start with `_`), or already checked by the caller
 * (scratch names, the schema of a PostgreSQL URL).
 */
export function quoteCatalogName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
