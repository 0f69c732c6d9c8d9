import { ErrorCode, SpineError } from '@market-spine/core';
import type { SpineDb, SqlExecutor, SqlValue } from '@market-spine/core';
import { TABLE_PREFIX } from '../calcs.js';
import { openArchive } from './archive-file.js';
import type { ArchiveRow, ArchivedCapture } from './archive-file.js';
import type { TableRowCounts } from './archive.js';

/** Rows handed to one bulk insert. */
const BATCH_ROWS = 5000;

/** Outcome of {@link restoreArchive}. */
export type RestoreArchiveResult =
  | { readonly status: 'restored'; readonly file: string; readonly captures: readonly ArchivedCapture[]; readonly tables: TableRowCounts }
  /** Some of the archive's captures are in the database already (restored before?); nothing was written. */
  | { readonly status: 'already_present'; readonly file: string; readonly present: readonly string[] };

async function checkColumns(db: SpineDb, tx: SqlExecutor, tables: readonly { name: string; columns: readonly string[] }[], file: string): Promise<void> {
  for (const table of tables) {
    if (!table.name.startsWith(TABLE_PREFIX)) {
      throw new SpineError(ErrorCode.ARCHIVE_INVALID, `${file} holds table ${table.name}, which is not a FINRA capture table.`, { hint: 'Restore only files written by `spine ops archive`.' });
    }
    const live = new Set((await db.dialect.introspector.columns(tx, table.name)).map((c) => c.name));
    const missing = table.columns.filter((c) => !live.has(c));
    if (missing.length > 0) {
      throw new SpineError(ErrorCode.ARCHIVE_INVALID, `${file} has column(s) ${missing.join(', ')} of ${table.name} that this database lacks.`, {
        hint: 'Migrate the database to the version the archive was written from (`spine db migrate`), then restore; nothing was restored.',
      });
    }
  }
}

/**
 * Puts an archive written by `archiveCaptures` back: every row into its
 * table, in one transaction, checked against the header's row counts and
 * checksums before the commit (a file that does not match is refused and
 * nothing is written). Columns added to a table since the archive was
 * written get their defaults. Refused without writing when one of the
 * archive's captures is in the database already.
 *
 * @throws SpineError `ARCHIVE_INVALID` for a damaged file or one that does not fit the schema; `INPUT_NOT_FOUND` for a missing file;
 *   a table's error (e.g. a constraint) rolls the whole restore back
 */
export async function restoreArchive(db: SpineDb, file: string): Promise<RestoreArchiveResult> {
  const { header, rows, close } = await openArchive(file);
  try {
    const ids = header.captures.map((c) => c.capture_id);
    const present = (await db.kysely.selectFrom(`${TABLE_PREFIX}captures`).select('capture_id').where('capture_id', 'in', ids).execute()) as { capture_id: string }[];
    if (present.length > 0) return { status: 'already_present', file, present: present.map((r) => r.capture_id).sort() };
    await insertRows(db, file, header.tables, rows);
  } finally {
    close();
  }
  return { status: 'restored', file, captures: header.captures, tables: header.tables.map((t) => ({ name: t.name, rows: t.rows })) };
}

/** Inserts the archive's rows in one transaction, which commits only when the generator has checked them all against the header. */
async function insertRows(db: SpineDb, file: string, tables: readonly { name: string; columns: readonly string[] }[], rows: AsyncGenerator<ArchiveRow>): Promise<void> {
  const columns = new Map(tables.map((t) => [t.name, t.columns]));
  await db.transaction(async (tx) => {
    await checkColumns(db, tx, tables, file);
    let table = '';
    let batch: SqlValue[][] = [];
    const flush = async () => {
      if (batch.length > 0) await tx.insertRows(table, columns.get(table) ?? [], batch);
      batch = [];
    };
    // The generator compares counts and checksums when it ends, before this transaction commits.
    for await (const row of rows) {
      if (row.table !== table || batch.length >= BATCH_ROWS) {
        await flush();
        table = row.table;
      }
      batch.push(row.values);
    }
    await flush();
  });
}
