import { existsSync, rmSync, statSync } from 'node:fs';
import parseDuration from 'parse-duration';
import { ErrorCode, SpineError, currentActor, errorMessage, isSpineError, nowIso, renameDurably, vacuumDatabase } from '@market-spine/core';
import type { SpineDb, SqlExecutor, SqlValue, VacuumResult } from '@market-spine/core';
import { TABLE_PREFIX } from '../calcs.js';
import { ARCHIVE_FORMAT, ArchiveBodyWriter, assembleArchive, verifyArchive } from './archive-file.js';
import type { ArchiveHeader, ArchivedCapture, ArchivedTable } from './archive-file.js';

/** The table every capture-level table references. */
const CAPTURES_TABLE = `${TABLE_PREFIX}captures`;

/** A table that holds rows of captures, with its columns in declaration order. */
export interface CaptureTable {
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * The tables holding a capture's rows, as the database has them: every
 * FINRA table (`finra_otc_transparency_*`) with a `capture_id` column — the
 * captures table first, then the others (raw rows, rejects, every
 * calculation table) by name. Deletes go in reverse order, the captures
 * they all reference last.
 */
export async function captureTables(db: SpineDb, executor: SqlExecutor = db.executor()): Promise<CaptureTable[]> {
  const objects = await db.dialect.introspector.listObjects(executor);
  const tables: CaptureTable[] = [];
  for (const object of objects) {
    if (object.type !== 'table' || !object.name.startsWith(TABLE_PREFIX)) continue;
    const columns = (await db.dialect.introspector.columns(executor, object.name)).map((c) => c.name);
    if (columns.includes('capture_id')) tables.push({ name: object.name, columns });
  }
  const rank = (t: CaptureTable) => (t.name === CAPTURES_TABLE ? 0 : 1);
  return tables.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Capture ids per `IN (…)` list: well below every dialect's limit on bound parameters. */
const IDS_PER_QUERY = 500;

/**
 * An age such as `2y`, `18mo`, `90d` or `1y 6mo` in milliseconds, parsed by
 * parse-duration (a year is 365.25 days, a month a twelfth of that).
 *
 * @throws SpineError `INVALID_ARGUMENT` for text that is not a positive duration with a unit
 */
export function parseAge(text: string): number {
  const ms = /[a-z]/i.test(text) ? parseDuration(text) : null;
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${JSON.stringify(text)} is not an age.`, {
      hint: 'Give a positive duration with a unit, e.g. 2y, 18mo, 90d (a year is 365.25 days).',
    });
  }
  return ms;
}

/** Which captures an archive of `olderThan` takes and which it keeps. */
export interface ArchivePlan {
  readonly olderThan: string;
  /** ISO-8601 UTC: captures captured before it are old. */
  readonly cutoff: string;
  /** Old captures that are not the newest of their (week, tier): these are archived. */
  readonly captures: readonly ArchivedCapture[];
  /** Old captures kept because each is the newest of its (week, tier): archiving it would leave the week without data. */
  readonly kept: readonly ArchivedCapture[];
}

/**
 * Plans an archive (seed 000 "Archive Old Captures"): the captures whose
 * `captured_at` is older than `olderThan` before `now`, minus the newest
 * capture of each (week, tier) — newest by captured_at, then capture_id,
 * the order of the `*_latest` views — which is never archived.
 *
 * @throws SpineError `INVALID_ARGUMENT` for a bad age
 */
export async function planArchive(db: SpineDb, olderThan: string, now: Date = new Date()): Promise<ArchivePlan> {
  const cutoffMs = now.getTime() - parseAge(olderThan);
  const rows = (await db.kysely
    .selectFrom(CAPTURES_TABLE)
    .select(['capture_id', 'week_ending', 'tier', 'captured_at'])
    .orderBy('week_ending')
    .orderBy('tier')
    .orderBy('captured_at', 'desc')
    .orderBy('capture_id', 'desc')
    .execute()) as ArchivedCapture[];
  const captures: ArchivedCapture[] = [];
  const kept: ArchivedCapture[] = [];
  let previous = '';
  for (const row of rows) {
    const partition = `${row.week_ending}|${row.tier}`;
    const newest = partition !== previous;
    previous = partition;
    if (Date.parse(row.captured_at) >= cutoffMs) continue;
    (newest ? kept : captures).push(row);
  }
  return { olderThan, cutoff: new Date(cutoffMs).toISOString(), captures, kept };
}

/** Options of {@link archiveCaptures}. */
export interface ArchiveOptions {
  /** Age of the captures to archive, e.g. `2y` ({@link parseAge}). */
  readonly olderThan: string;
  /** The archive file to write (gzip'd JSON lines); must not exist. */
  readonly file: string;
  /** The instant ages are measured from. Default: now. */
  readonly now?: Date;
  /** Only plan: count the rows, write and delete nothing. */
  readonly dryRun?: boolean;
  /** VACUUM after the delete (default true). */
  readonly vacuum?: boolean;
}

/** Rows per table, in {@link captureTables} order. */
export type TableRowCounts = readonly { readonly name: string; readonly rows: number }[];

/** Outcome of {@link archiveCaptures}. */
export type ArchiveResult =
  | (ArchivePlan & {
      readonly status: 'archived';
      readonly file: string;
      readonly fileBytes: number;
      readonly tables: readonly ArchivedTable[];
      /** The space the deleted rows gave back, or null without `vacuum`. */
      readonly vacuum: VacuumResult | null;
    })
  /** `dryRun`: what would be archived. */
  | (ArchivePlan & { readonly status: 'planned'; readonly tables: TableRowCounts })
  /** No old capture can be archived (none is old, or every old one is the newest of its week). */
  | (ArchivePlan & { readonly status: 'nothing_to_archive' });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function countRows(tx: SqlExecutor, table: string, ids: readonly string[]): Promise<number> {
  let total = 0;
  for (const part of chunks(ids, IDS_PER_QUERY)) {
    const row = (await tx.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('capture_id', 'in', part).executeTakeFirst()) as { n: number } | undefined;
    total += Number(row?.n ?? 0);
  }
  return total;
}

/**
 * Archives old captures (seed 000 "Archive Old Captures"): every row of each
 * capture {@link planArchive} selects, in every table of {@link captureTables},
 * goes to a gzip'd JSON-lines file with a header (format, captures, each
 * table's columns, row count and sha256); the file is read back and checked
 * against its header, and only then are the rows deleted — all in one
 * transaction, which also holds the export, so exactly the exported rows are
 * deleted (the counts are compared) or, on any failure, nothing is and the
 * file is removed. Then VACUUM gives the space back. The newest capture of
 * each (week, tier) is kept and listed in `kept`. `restoreArchive` puts
 * the rows back.
 *
 * @throws SpineError `INVALID_ARGUMENT` for a bad age or an existing file; `ARCHIVE_FAILED` when the export,
 *   its verification or a delete failed (the database is unchanged, no file is left)
 */
export async function archiveCaptures(db: SpineDb, options: ArchiveOptions): Promise<ArchiveResult> {
  const plan = await planArchive(db, options.olderThan, options.now);
  if (plan.captures.length === 0) return { ...plan, status: 'nothing_to_archive' };
  const ids = plan.captures.map((c) => c.capture_id);
  if (options.dryRun) {
    const executor = db.executor();
    const tables: { name: string; rows: number }[] = [];
    for (const { name } of await captureTables(db, executor)) tables.push({ name, rows: await countRows(executor, name, ids) });
    return { ...plan, status: 'planned', tables };
  }
  if (existsSync(options.file)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${options.file} exists; an archive never overwrites a file.`, { hint: 'Choose another --out file.' });
  }
  const partial = `${options.file}.partial`;
  const bodyPath = `${options.file}.body.partial`;
  let tables: ArchivedTable[] = [];
  try {
    await db.transaction(async (tx) => {
      const body = new ArchiveBodyWriter(bodyPath);
      try {
        for (const { name, columns } of await captureTables(db, tx)) {
          body.table(name, columns);
          for (const part of chunks(ids, IDS_PER_QUERY)) {
            const rows = (await tx.kysely.selectFrom(name).select([...columns]).where('capture_id', 'in', part).execute()) as Record<string, SqlValue>[];
            await body.rows(name, rows.map((row) => columns.map((c) => row[c] ?? null)));
          }
        }
      } finally {
        tables = await body.close();
      }
      const header: ArchiveHeader = {
        format: ARCHIVE_FORMAT,
        created_at: nowIso(),
        created_by: currentActor(),
        source: { dialect: db.dialectName, location: db.location },
        older_than: plan.olderThan,
        cutoff: plan.cutoff,
        captures: [...plan.captures],
        tables,
      };
      await assembleArchive(partial, header, bodyPath);
      await verifyArchive(partial);
      for (const table of [...tables].reverse()) {
        let deleted = 0;
        for (const part of chunks(ids, IDS_PER_QUERY)) {
          const result = await tx.kysely.deleteFrom(table.name).where('capture_id', 'in', part).executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
        if (deleted !== table.rows) {
          throw new SpineError(ErrorCode.ARCHIVE_FAILED, `${table.name}: ${deleted} rows deleted, ${table.rows} archived; rolled back.`, {
            hint: 'Another process wrote to these captures meanwhile; run the archive again.',
          });
        }
      }
      // Published before the commit: if the commit fails, the catch below removes it again.
      renameDurably(partial, options.file);
    });
  } catch (error) {
    rmSync(options.file, { force: true });
    rmSync(partial, { force: true });
    if (isSpineError(error, ErrorCode.ARCHIVE_FAILED)) throw error;
    throw new SpineError(ErrorCode.ARCHIVE_FAILED, `Archiving ${ids.length} capture(s) failed, nothing was deleted: ${errorMessage(error)}`, {
      hint: 'The database is unchanged and no archive file was left; fix the cause and run the archive again.',
      cause: error,
    });
  } finally {
    rmSync(bodyPath, { force: true });
  }
  const { size } = statSync(options.file);
  const vacuum = options.vacuum === false ? null : await vacuumDatabase(db);
  return { ...plan, status: 'archived', file: options.file, fileBytes: size, tables, vacuum };
}
