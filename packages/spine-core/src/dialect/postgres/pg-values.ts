/**
 * Values read from PostgreSQL are turned into what SQLite returns for the
 * same schema, so code above the dialect never branches on it: instants as
 * ISO-8601 UTC strings with milliseconds, dates as `YYYY-MM-DD`, booleans as
 * 1/0, 64-bit integers and numerics as numbers, JSON as JSON text.
 */

/** PostgreSQL type OIDs (pg_type.oid) that get a parser. */
export const PG_OID = {
  bool: 16,
  int8: 20,
  json: 114,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

/** `2025-11-14 12:34:56[.789123]+00` (or without zone): what sessions in time zone UTC print. */
const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:\+00)?$/;

/**
 * A PostgreSQL timestamp as `toISOString()` prints it (milliseconds, `Z`).
 * Sessions run in UTC, so the text is rearranged without a Date (the
 * fast path, per value read); anything else goes through Date.
 */
function toIso(text: string): string {
  const utc = UTC_TIMESTAMP.exec(text);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const date = new Date(text.includes('T') || /[+-]\d\d(:\d\d)?$|Z$/.test(text) ? text : `${text}Z`);
  // 'infinity', BC dates: no ISO instant to give, so the server's text is kept.
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** Text parsers by OID, for `pg` (`types.getTypeParser`) and PGlite (`parsers`). */
export const PG_TEXT_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [PG_OID.bool]: (text) => (text === 't' || text === 'true' ? 1 : 0),
  [PG_OID.int8]: (text) => Number(text),
  [PG_OID.numeric]: (text) => Number(text),
  [PG_OID.date]: (text) => text,
  // TIMESTAMP (without zone) holds UTC by convention here, like SQLite's ISO text.
  [PG_OID.timestamp]: toIso,
  [PG_OID.timestamptz]: toIso,
  [PG_OID.json]: (text) => text,
  [PG_OID.jsonb]: (text) => text,
};

/** One value as a CSV field for `COPY … FROM STDIN (FORMAT csv)`: NULL is an empty unquoted field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return `"\\x${value.toString('hex')}"`;
  const text = String(value);
  return `"${text.replace(/"/g, '""')}"`;
}

/** Size of the CSV chunks handed to COPY, in characters. */
const CSV_CHUNK_CHARS = 256 * 1024;

/**
 * Rows as CSV text for COPY, one line per row, in chunks of about 256 KiB:
 * a load of any size streams without ever being one (too long) string.
 */
export function* csvChunks(rows: Iterable<readonly unknown[]>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += `${row.map(csvField).join(',')}\n`;
    if (chunk.length >= CSV_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
