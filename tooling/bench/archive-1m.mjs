// `archive-1m`: `archiveCaptures` (spine ops archive) of old FINRA captures
// holding over a million rows, against a plain DELETE of the same rows and a
// VACUUM, in the same process and run, on SQLite file databases.
//
// Fixture, built once per run outside any timer: core + FINRA migrated into a
// file, the pipeline run on the three bundled samples (real rows: raw lines,
// one rejected line, venue volumes, shares, summaries, HHI, rolling windows,
// snapshots), then every row of those three captures copied N times under new
// capture ids captured in 2022 (each copy's source_sha256 made unique), with
// N chosen so the copies hold at least 1,000,000 rows. The original captures,
// captured now, stay the newest of their (week, tier); every copy is older
// than 2 years and not the newest, so `--older-than 2y` archives exactly the
// copies. Then VACUUM and a WAL checkpoint, so each round starts from the same
// compact file.
//
// Each round copies the fixture file twice (not timed) and runs, in
// alternating order:
//   measured: archiveCaptures(db, { olderThan: '2y', file }) through
//             openSpineDb: export of the rows to gzip'd JSON lines, the file
//             read back and checked against its header, the deletes in one
//             transaction, VACUUM;
//   baseline: better-sqlite3 on the other copy, opened like openSpineDb:
//             DELETE … WHERE capture_id IN (the same ids) from every capture
//             table in one transaction, then VACUUM and
//             PRAGMA wal_checkpoint(TRUNCATE) (what the archive's VACUUM does).
// Space reclaimed is page_count × page_size before minus after, on both.
//
// Checked every round: both leave the same row count in every table (the
// originals only), the archive lists exactly the copies and its rows total the
// rows the baseline deleted. Ratios: archive time ÷ baseline time, archive
// reclaimed bytes ÷ baseline reclaimed bytes (1 = same space back). Also
// reported: the archive file's size against the space the rows held. Skipped
// with --quick.

import { copyFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Migrator, openSpineDb } from '@market-spine/core';
import { archiveCaptures, captureTables, planArchive, runPipeline, sampleFiles } from '@market-spine/domains-finra';
import {
  BenchFailure,
  ORDER_NOTE,
  alternatingRounds,
  assertSamePragmas,
  finraSources,
  fmtBytes,
  fmtInt,
  fmtS,
  freeBytes,
  median,
  openBaselineDb,
  printBlock,
  printSkip,
  quoteIdent,
  rawPragmas,
  removeDbFiles,
  round,
  sampleStats,
  spinePragmas,
  statsHeader,
  statsLine,
  tableCounts,
  timeRatio,
  timed,
  writeResult,
} from './lib.mjs';

const NAME = 'archive-1m';
const MIN_ROWS = 1_000_000;
const OLDER_THAN = '2y';
/** Free space the fixture and the two working copies need in the temp dir. */
const MIN_FREE_BYTES = 6 * 1024 ** 3;

function pageBytes(db) {
  return db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true });
}

/** Builds the fixture file; returns its capture tables and the ids of the copies. */
async function buildFixture(path) {
  const db = await openSpineDb(path);
  let tables;
  try {
    const migrated = await new Migrator(db, { sources: finraSources() }).migrate();
    if (migrated.status !== 'ok') throw new BenchFailure('migrating the fixture failed', migrated);
    const report = await runPipeline(db, sampleFiles());
    if (report.status !== 'ok') throw new BenchFailure('the pipeline failed on the samples', report);
    tables = await captureTables(db);
  } finally {
    await db.close();
  }
  const raw = openBaselineDb(path);
  try {
    const originals = raw.prepare('SELECT capture_id FROM finra_otc_transparency_captures ORDER BY capture_id').pluck().all();
    const perCopy = tables.reduce((sum, t) => sum + raw.prepare(`SELECT count(*) FROM ${quoteIdent(t.name)}`).pluck().get(), 0);
    const copies = Math.ceil(MIN_ROWS / perCopy);
    raw.exec('BEGIN');
    for (let k = 1; k <= copies; k++) {
      // Minutes apart in 2022: all older than 2 years, none the newest of its (week, tier).
      const capturedAt = new Date(Date.UTC(2022, 0, 3, 0, k)).toISOString();
      for (const { name, columns } of tables) {
        const copied = columns.filter((c) => c !== 'reject_id');
        const select = copied.map((c) =>
          c === 'capture_id' ? `'b${k}_' || capture_id` : c === 'captured_at' ? `'${capturedAt}'` : c === 'source_sha256' ? `source_sha256 || '_${k}'` : quoteIdent(c),
        );
        raw.exec(`INSERT INTO ${quoteIdent(name)} (${copied.map(quoteIdent).join(', ')}) SELECT ${select.join(', ')} FROM ${quoteIdent(name)} WHERE capture_id IN (${originals.map((id) => `'${id}'`).join(', ')})`);
      }
    }
    raw.exec('COMMIT');
    raw.exec('VACUUM');
    raw.pragma('wal_checkpoint(TRUNCATE)');
    return { tables: tables.map((t) => t.name), copies, perCopy };
  } finally {
    raw.close();
  }
}

/** The baseline: DELETE the same captures' rows in one transaction (children first), VACUUM, checkpoint. */
function plainDelete(path, tables, ids) {
  const db = openBaselineDb(path);
  try {
    const pragmas = rawPragmas(db);
    const before = pageBytes(db);
    const list = ids.map((id) => `'${id}'`).join(', ');
    const { ms, value: deleted } = (() => {
      const start = performance.now();
      let rows = 0;
      db.exec('BEGIN IMMEDIATE');
      for (const table of [...tables].reverse()) rows += db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE capture_id IN (${list})`).run().changes;
      db.exec('COMMIT');
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
      return { ms: performance.now() - start, value: rows };
    })();
    return { ms, deleted, reclaimed: before - pageBytes(db), pragmas };
  } finally {
    db.close();
  }
}

async function run({ rounds, tmp, quick }) {
  if (quick) {
    printSkip(NAME, '--quick');
    return;
  }
  if (freeBytes(tmp) < MIN_FREE_BYTES) {
    printSkip(NAME, `less than ${fmtBytes(MIN_FREE_BYTES)} free in ${tmp}`);
    return;
  }
  const fixture = join(tmp, 'fixture.db');
  const build = await timed(() => buildFixture(fixture));
  const { tables, copies, perCopy } = build.value;
  const fixtureCounts = tableCounts(fixture, tables);
  const plannedDb = await openSpineDb({ target: fixture, readonly: true });
  const plan = await planArchive(plannedDb, OLDER_THAN);
  await plannedDb.close();
  const ids = plan.captures.map((c) => c.capture_id);
  if (ids.length !== copies * 3 || plan.kept.length !== 0) throw new BenchFailure('the archive plan is not the copies', { copies, planned: ids.length, kept: plan.kept });
  const expectedRows = copies * perCopy;
  const remaining = Object.fromEntries(tables.map((t) => [t, fixtureCounts[t] / (copies + 1)]));

  let archiveRound = 0;
  let deleteRound = 0;
  const results = await alternatingRounds({
    ...rounds,
    contestants: [
      {
        name: 'archive',
        run: async () => {
          archiveRound += 1;
          const path = join(tmp, `archive-${archiveRound}.db`);
          const file = join(tmp, `archive-${archiveRound}.jsonl.gz`);
          copyFileSync(fixture, path);
          const db = await openSpineDb(path);
          let timedRun;
          let pragmas;
          try {
            pragmas = await spinePragmas(db);
            timedRun = await timed(() => archiveCaptures(db, { olderThan: OLDER_THAN, file }));
          } finally {
            await db.close();
          }
          const result = timedRun.value;
          const archivedRows = result.status === 'archived' ? result.tables.reduce((s, t) => s + t.rows, 0) : 0;
          if (result.status !== 'archived' || archivedRows !== expectedRows || result.captures.length !== ids.length) {
            throw new BenchFailure('the archive did not take exactly the copies', { status: result.status, archivedRows, expectedRows });
          }
          const counts = tableCounts(path, tables);
          const fileBytes = statSync(file).size;
          removeDbFiles(path);
          rmSync(file, { force: true });
          return { ms: timedRun.ms, reclaimed: result.vacuum.reclaimedBytes, fileBytes, counts, pragmas };
        },
      },
      {
        name: 'delete',
        run: async () => {
          deleteRound += 1;
          const path = join(tmp, `delete-${deleteRound}.db`);
          copyFileSync(fixture, path);
          const result = plainDelete(path, tables, ids);
          if (result.deleted !== expectedRows) throw new BenchFailure('the baseline deleted other rows', { deleted: result.deleted, expectedRows });
          const counts = tableCounts(path, tables);
          removeDbFiles(path);
          return { ...result, counts };
        },
      },
    ],
  });

  const archive = results.archive;
  const baseline = results.delete;
  for (const [i, a] of archive.entries()) {
    const b = baseline[i];
    assertSamePragmas(a.pragmas, b.pragmas);
    for (const t of tables) {
      if (a.counts[t] !== remaining[t] || b.counts[t] !== remaining[t]) throw new BenchFailure(`rows left in ${t} differ`, { archive: a.counts[t], baseline: b.counts[t], expected: remaining[t] });
    }
  }
  const time = timeRatio(archive.map((r) => r.ms), baseline.map((r) => r.ms));
  const reclaimedArchive = median(archive.map((r) => r.reclaimed));
  const reclaimedBaseline = median(baseline.map((r) => r.reclaimed));
  const fileBytes = median(archive.map((r) => r.fileBytes));
  const fixtureBytes = statSync(fixture).size;

  printBlock(`${NAME}: archiveCaptures of ${fmtInt(expectedRows)} rows (${ids.length} old captures) vs DELETE + VACUUM, SQLite, ${ORDER_NOTE}`, [
    `  fixture: ${fmtBytes(fixtureBytes)}, ${copies} copies × ${fmtInt(perCopy)} rows of the 3 sample captures (built in ${fmtS(build.ms)})`,
    statsHeader(30),
    statsLine('archive (export+delete+VACUUM)', archive.map((r) => r.ms), 30),
    statsLine('DELETE + VACUUM', baseline.map((r) => r.ms), 30),
    `  time ratio archive ÷ baseline: ${time.ratio.toFixed(2)} (median of per-round ratios ${time.pairedRatioMedian.toFixed(2)})`,
    `  space reclaimed: archive ${fmtInt(reclaimedArchive)} bytes, baseline ${fmtInt(reclaimedBaseline)} bytes; ratio ${(reclaimedArchive / reclaimedBaseline).toFixed(4)}`,
    `  archive file: ${fmtInt(fileBytes)} bytes = ${((fileBytes / reclaimedArchive) * 100).toFixed(1)} % of the space the rows held`,
  ]);
  writeResult(NAME, {
    rounds,
    rows: expectedRows,
    captures: ids.length,
    fixture: { bytes: fixtureBytes, copies, rowsPerCopy: perCopy, buildMs: round(build.ms, 0) },
    archive: { ...sampleStats(archive.map((r) => r.ms)), reclaimedBytes: archive.map((r) => r.reclaimed), fileBytes: archive.map((r) => r.fileBytes) },
    baseline: { ...sampleStats(baseline.map((r) => r.ms)), reclaimedBytes: baseline.map((r) => r.reclaimed) },
    timeRatio: round(time.ratio, 3),
    pairedTimeRatioMedian: round(time.pairedRatioMedian, 3),
    reclaimedRatio: round(reclaimedArchive / reclaimedBaseline, 4),
    fileToReclaimedRatio: round(fileBytes / reclaimedArchive, 4),
  });
}

export const archive1m = { name: NAME, defaultRounds: { warmup: 0, measured: 3 }, run };
