import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import type { Gzip } from 'node:zlib';
import { z } from 'zod';
import { ErrorCode, SpineError, errorMessage, syncFile } from '@market-spine/core';
import type { SqlValue } from '@market-spine/core';

/** The `format` of the archive files this build writes and reads. */
export const ARCHIVE_FORMAT = 'market-spine-finra-archive/1';

/** A capture as an archive lists it. */
const ArchivedCaptureSchema = z
  .object({
    capture_id: z.string().min(1),
    week_ending: z.string(),
    tier: z.string(),
    /** ISO-8601 UTC. */
    captured_at: z.string(),
  })
  .strict();

/** One table's part of an archive: its columns (the order of every row's values), row count and checksum. */
const ArchivedTableSchema = z
  .object({
    name: z.string().min(1),
    columns: z.array(z.string().min(1)).min(1),
    rows: z.number().int().nonnegative(),
    /** sha256 (hex) of the table's row lines, each with its `\n`, in file order. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/**
 * The first line of an archive file (a JSON object): what it holds and how
 * to check it. Every further line is one row: `{"t": <table>, "v": [values in
 * the table's column order]}`, the tables in `tables` order, parents first.
 */
export const ArchiveHeaderSchema = z
  .object({
    format: z.literal(ARCHIVE_FORMAT),
    /** ISO-8601 UTC. */
    created_at: z.string(),
    created_by: z.string(),
    /** The database the rows came from (dialect and location without password). */
    source: z.object({ dialect: z.string(), location: z.string() }).strict(),
    /** The age given (e.g. `2y`) and the instant it meant: captures captured before it were archived. */
    older_than: z.string(),
    cutoff: z.string(),
    captures: z.array(ArchivedCaptureSchema).min(1),
    tables: z.array(ArchivedTableSchema).min(1),
  })
  .strict();

/** The header of an archive file. */
export type ArchiveHeader = z.infer<typeof ArchiveHeaderSchema>;
/** A capture as an archive lists it. */
export type ArchivedCapture = z.infer<typeof ArchivedCaptureSchema>;
/** One table's part of an archive. */
export type ArchivedTable = z.infer<typeof ArchivedTableSchema>;

/** Rows are written to the compressor in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20;

/**
 * Writes the row lines of an archive into a gzip file (the body; the header
 * goes in front of it once the counts and checksums are known) and keeps
 * every table's count and sha256.
 */
export class ArchiveBodyWriter {
  readonly #gzip: Gzip;
  readonly #done: Promise<void>;
  readonly #tables = new Map<string, { columns: readonly string[]; rows: number; hash: Hash }>();
  #chunk = '';

  constructor(path: string) {
    this.#gzip = createGzip();
    this.#done = pipeline(this.#gzip, createWriteStream(path, { flags: 'wx' }));
    // Awaited in close(); until then a failure (e.g. the file exists) must not count as unhandled.
    this.#done.catch(() => undefined);
  }

  /** Declares a table (in the order the header lists them) with its columns. */
  table(name: string, columns: readonly string[]): void {
    this.#tables.set(name, { columns, rows: 0, hash: createHash('sha256') });
  }

  /** Appends rows of a declared table; values in its column order. */
  async rows(name: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    const table = this.#tables.get(name);
    if (table === undefined) throw new Error(`table ${name} was not declared`);
    for (const values of rows) {
      const line = `${JSON.stringify({ t: name, v: values })}\n`;
      table.hash.update(line);
      table.rows += 1;
      this.#chunk += line;
      if (this.#chunk.length >= CHUNK_CHARS) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    const chunk = this.#chunk;
    this.#chunk = '';
    if (chunk !== '' && !this.#gzip.write(chunk)) await once(this.#gzip, 'drain');
  }

  /** Finishes the body file and returns each table's part of the header. */
  async close(): Promise<ArchivedTable[]> {
    await this.#flush();
    this.#gzip.end();
    await this.#done;
    return [...this.#tables].map(([name, t]) => ({ name, columns: [...t.columns], rows: t.rows, sha256: t.hash.digest('hex') }));
  }
}

/**
 * Writes the archive file: the header as one gzip member, then the body's
 * gzip members (a gzip file may hold several; `gunzip` and `zcat` read them
 * as one stream), flushed to disk.
 */
export async function assembleArchive(path: string, header: ArchiveHeader, bodyPath: string): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx' });
  out.write(gzipSync(`${JSON.stringify(header)}\n`));
  await pipeline(createReadStream(bodyPath), out);
  syncFile(path);
}

function invalid(path: string, problem: string, cause?: unknown): SpineError {
  return new SpineError(ErrorCode.ARCHIVE_INVALID, `${path} is not a valid ${ARCHIVE_FORMAT} archive: ${problem}`, {
    hint: 'Use the file `spine ops archive` wrote, unmodified; nothing was restored from this one.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function readHeader(path: string, line: string): ArchiveHeader {
  try {
    return ArchiveHeaderSchema.parse(JSON.parse(line));
  } catch (error) {
    throw invalid(path, `bad header (${errorMessage(error).slice(0, 300)})`, error);
  }
}

/** An archive row, as read back: its table and values. */
export interface ArchiveRow {
  readonly table: string;
  readonly values: SqlValue[];
}

/**
 * Reads an archive: its header, validated, and then its rows, each checked
 * against the header's tables, counted and hashed; when the rows are
 * consumed to the end, the counts and checksums are compared with the
 * header. `close()` releases the file when the rows are not read to the end.
 *
 * @throws SpineError `INPUT_NOT_FOUND` for a missing file; `ARCHIVE_INVALID` for a file that is not gzip, a bad header,
 *   a row of an undeclared table or with the wrong number of values, or counts and checksums that differ from the header
 */
export async function openArchive(path: string): Promise<{ header: ArchiveHeader; rows: AsyncGenerator<ArchiveRow>; close: () => void }> {
  const input = createReadStream(path);
  const gunzip = createGunzip();
  const failure: { error?: unknown } = {};
  input.on('error', (error) => {
    failure.error = error;
    gunzip.destroy(error);
  });
  const lines = createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async (): Promise<IteratorResult<string>> => {
    try {
      return await lines.next();
    } catch (error) {
      if ((failure.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new SpineError(ErrorCode.INPUT_NOT_FOUND, `No archive file at ${path}.`, { hint: 'Check the path.' });
      }
      throw invalid(path, errorMessage(error), error);
    }
  };
  let header: ArchiveHeader;
  try {
    const first = await next();
    if (first.done) throw invalid(path, 'the file is empty');
    header = readHeader(path, first.value);
  } catch (error) {
    input.destroy();
    throw error;
  }
  const tables = new Map(header.tables.map((t) => [t.name, { declared: t, rows: 0, hash: createHash('sha256') }]));
  async function* rows(): AsyncGenerator<ArchiveRow> {
    for (let line = await next(); !line.done; line = await next()) {
      let row: { t?: unknown; v?: unknown };
      try {
        row = JSON.parse(line.value) as { t?: unknown; v?: unknown };
      } catch (error) {
        throw invalid(path, `a row line is not JSON (${errorMessage(error)})`, error);
      }
      const table = typeof row.t === 'string' ? tables.get(row.t) : undefined;
      if (table === undefined || !Array.isArray(row.v) || row.v.length !== table.declared.columns.length) {
        throw invalid(path, `a row does not match the header's tables: ${line.value.slice(0, 200)}`);
      }
      table.rows += 1;
      table.hash.update(`${line.value}\n`);
      yield { table: table.declared.name, values: row.v as SqlValue[] };
    }
    const problems = [...tables.values()]
      .map(({ declared, rows: count, hash }) => {
        const sha256 = hash.digest('hex');
        if (count !== declared.rows) return `${declared.name}: ${count} rows, the header says ${declared.rows}`;
        return sha256 === declared.sha256 ? null : `${declared.name}: checksum ${sha256}, the header says ${declared.sha256}`;
      })
      .filter((p): p is string => p !== null);
    if (problems.length > 0) throw invalid(path, problems.join('; '));
  }
  return { header, rows: rows(), close: () => input.destroy() };
}

/**
 * Reads a whole archive and checks it against its header.
 *
 * @returns the header
 * @throws what {@link openArchive} throws
 */
export async function verifyArchive(path: string): Promise<ArchiveHeader> {
  const { header, rows, close } = await openArchive(path);
  try {
    for await (const row of rows) void row;
  } finally {
    close();
  }
  return header;
}
