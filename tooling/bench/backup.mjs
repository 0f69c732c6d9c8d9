// `backup-1gb`: `databaseBackups(path).create()` of a database of more than
// 1 GiB, against `cp` of the same file, in the same process and run.
//
// create() copies the file with SQLite's online backup API (the copy's commit
// fsyncs it), then verifies the copy: PRAGMA integrity_check (which reads the
// whole copy back), page count × page size against the file size, then a
// durable rename. `cp` only copies the bytes (no fsync, no read-back), so the
// ratio create() ÷ cp is the price of a backup that is known to be good, not
// an overhead to drive to 1. To tell the parts apart the benchmark also times
// create()'s copy part (until its progress callback reports every page), a bare
// better-sqlite3 `db.backup()` with the same step size and a bare
// integrity_check of that copy, and an fsync of the `cp` copy.
//
// The database is built once (random blobs, WAL mode, then checkpointed) into
// a cache file in the temp dir and reused while it is there and at least
// 1 GiB. Skipped with --quick, or when the temp dir's file system has less
// than 3 GiB free. Nothing asserts on timing; it fails only when create()
// does not return a verified backup of the right size.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { databaseBackups } from '@market-spine/core';
import {
  BenchFailure,
  ORDER_NOTE,
  fmtBytes,
  fmtInt,
  alternatingRounds,
  freeBytes,
  median,
  printBlock,
  printSkip,
  removeDbFiles,
  round,
  sampleStats,
  statsHeader,
  statsLine,
  timeRatio,
  timed,
  writeResult,
} from './lib.mjs';

const GIB = 1024 ** 3;
/** The cache file of the big database, reused across runs. */
export const CACHE_PATH = join(tmpdir(), 'spine-bench-1gb.db');
/** A cached database smaller than this is rebuilt. */
const MIN_BYTES = GIB;
/** The size the build aims at, a little above {@link MIN_BYTES}. */
const TARGET_BYTES = Math.round(1.05 * GIB);
/** Below this much free space on the temp dir's file system the benchmark is skipped. */
const MIN_FREE_BYTES = 3 * GIB;
/** Rows per INSERT (one transaction each): about 100 MB of blobs. */
const BATCH_ROWS = 25_000;
/** Bytes of each random blob: one row fills most of a 4 KiB page. */
const BLOB_BYTES = 4000;
/** Pages per backup step, the same as create()'s default, for the bare db.backup(). */
const PAGES_PER_STEP = 1024;

function hasSqliteHeader(path) {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

const usableCache = (path) => existsSync(path) && statSync(path).size >= MIN_BYTES && hasSqliteHeader(path);

/**
 * Builds the big database into `<path>.building`, then renames it, so an
 * interrupted build is never reused: one table of random blobs, inserted in
 * ~100 MB transactions through a recursive CTE, in WAL mode (synchronous OFF:
 * it is a fixture), then checkpointed and closed so the main file holds it all.
 */
function buildCache(path) {
  const building = `${path}.building`;
  removeDbFiles(building);
  const db = new Database(building);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
    const insert = db.prepare(
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO filler (payload) SELECT randomblob(?) FROM n',
    );
    const pageSize = db.pragma('page_size', { simple: true });
    while (db.pragma('page_count', { simple: true }) * pageSize < TARGET_BYTES) insert.run(BATCH_ROWS, BLOB_BYTES);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  renameSync(building, path);
  removeDbFiles(building);
}

/** Reads the whole file once so every contestant starts from a source in the page cache. */
function readThrough(path) {
  const buffer = Buffer.alloc(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function fsyncFile(path) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const backup1gb = {
  name: 'backup-1gb',
  defaultRounds: { warmup: 0, measured: 3 },
  /** @throws BenchFailure when create() does not return a verified backup the size of the source */
  async run({ rounds, tmp, quick }) {
    if (quick) {
      printSkip(this.name, '--quick');
      return;
    }
    const free = freeBytes(dirname(CACHE_PATH));
    if (free < MIN_FREE_BYTES) {
      printSkip(this.name, `only ${fmtBytes(free)} free on the file system of ${dirname(CACHE_PATH)}, it needs ${fmtBytes(MIN_FREE_BYTES)}`);
      return;
    }

    let buildMs = null;
    if (!usableCache(CACHE_PATH)) {
      console.log(`backup-1gb: building the ${fmtBytes(TARGET_BYTES)} test database ${CACHE_PATH} (once; reused by later runs)…`);
      removeDbFiles(CACHE_PATH);
      buildMs = (await timed(() => buildCache(CACHE_PATH))).ms;
    }
    const source = CACHE_PATH;
    const sourceBytes = statSync(source).size;
    const geometry = (() => {
      const db = new Database(source, { readonly: true, fileMustExist: true });
      try {
        return { pageSize: db.pragma('page_size', { simple: true }), pageCount: db.pragma('page_count', { simple: true }) };
      } finally {
        db.close();
      }
    })();
    readThrough(source);

    const work = join(tmp, 'backup-1gb');
    mkdirSync(work, { recursive: true });
    const backups = databaseBackups(source);

    const spineRun = async () => {
      const directory = join(work, 'spine');
      let copyDoneAt = null;
      const start = performance.now();
      const info = await backups.create({
        directory,
        label: 'bench',
        onProgress: (done, total) => {
          if (done === total) copyDoneAt = performance.now();
        },
      });
      const end = performance.now();
      try {
        if (info.integrity !== 'ok' || info.bytes !== sourceBytes || copyDoneAt === null) {
          throw new BenchFailure('databaseBackups().create() did not return a verified copy of the source; no result written.', { info, sourceBytes });
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
      return { ms: end - start, copyMs: copyDoneAt - start, verifyMs: end - copyDoneAt };
    };

    const bareRun = async () => {
      const destination = join(work, 'bare.db');
      try {
        const copy = await timed(async () => {
          const db = new Database(source, { fileMustExist: true });
          try {
            return await db.backup(destination, { progress: () => PAGES_PER_STEP });
          } finally {
            db.close();
          }
        });
        const integrity = await timed(() => {
          const db = new Database(destination, { fileMustExist: true });
          try {
            return db.pragma('integrity_check', { simple: true });
          } finally {
            db.close();
          }
        });
        if (integrity.value !== 'ok') throw new Error(`bare backup copy failed integrity_check: ${integrity.value}`);
        return { ms: copy.ms, integrityMs: integrity.ms };
      } finally {
        removeDbFiles(destination);
      }
    };

    const cpRun = async () => {
      const destination = join(work, 'cp.db');
      try {
        const copy = await timed(() => execFileSync('cp', [source, destination]));
        if (statSync(destination).size !== sourceBytes) throw new Error('cp copy has another size than the source');
        // Outside cp's time: flush the copy, so its dirty pages are not written back during the next contestant.
        const flush = await timed(() => fsyncFile(destination));
        return { ms: copy.ms, fsyncMs: flush.ms };
      } finally {
        removeDbFiles(destination);
      }
    };

    let results;
    try {
      results = await alternatingRounds({
        ...rounds,
        contestants: [
          { name: 'spine', run: spineRun },
          { name: 'bare', run: bareRun },
          { name: 'cp', run: cpRun },
        ],
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }

    const pick = (name, field) => results[name].map((r) => r[field]);
    const spine = pick('spine', 'ms');
    const spineCopy = pick('spine', 'copyMs');
    const spineVerify = pick('spine', 'verifyMs');
    const bare = pick('bare', 'ms');
    const bareIntegrity = pick('bare', 'integrityMs');
    const cp = pick('cp', 'ms');
    const cpFsync = pick('cp', 'fsyncMs');
    const ratio = timeRatio(spine, cp);
    const copyVsBare = median(spineCopy) / median(bare);
    const verifyVsIntegrity = median(spineVerify) / median(bareIntegrity);
    const mbps = (ms) => sourceBytes / 1e6 / (ms / 1000);

    const resultFile = writeResult(this.name, {
      runs: { ...rounds, order: ORDER_NOTE, note: 'every copy is deleted right after its measurement; the source is read once into the page cache before the first round' },
      source: { path: source, bytes: sourceBytes, ...geometry, reusedFromCache: buildMs === null, buildMs: buildMs === null ? null : round(buildMs, 0), freeBytesBefore: free },
      spineBackup: {
        what: 'databaseBackups(path).create({ directory, label: "bench" }): online backup (1024 pages per step; the copy\'s commit fsyncs it), then verification: journal_mode=DELETE, PRAGMA integrity_check (reads the whole copy), page count × page size = file size = source size, durable rename',
        ...sampleStats(spine),
        copyPart: { what: 'from the call until onProgress reports every page copied', ...sampleStats(spineCopy) },
        verifyPart: { what: 'from the last page copied until create() resolves: integrity_check, size checks, rename and directory fsync', ...sampleStats(spineVerify) },
        megabytesPerSecond: round(mbps(median(spine)), 1),
      },
      bareBackup: {
        what: `better-sqlite3: open the source, await db.backup(destination, ${PAGES_PER_STEP} pages per step), close`,
        ...sampleStats(bare),
        integrityCheck: { what: 'open that copy with better-sqlite3, PRAGMA integrity_check, close (timed separately)', ...sampleStats(bareIntegrity) },
      },
      cp: {
        what: "child_process execFileSync('cp', [source, destination]): the bytes only, no fsync, no read-back",
        ...sampleStats(cp),
        megabytesPerSecond: round(mbps(median(cp)), 1),
        fsyncAfter: { what: 'fsync of the cp copy, timed separately (not part of cp)', ...sampleStats(cpFsync) },
      },
      ratio: round(ratio.ratio, 3),
      pairedRatioMedian: round(ratio.pairedRatioMedian, 3),
      ratioDefinition: 'create() median ms ÷ cp median ms. create() also fsyncs the copy and runs integrity_check, which reads the whole copy back; cp does neither',
      copyPartVsBareBackup: round(copyVsBare, 3),
      verifyPartVsBareIntegrityCheck: round(verifyVsIntegrity, 3),
    });

    const width = 36;
    printBlock(`backup-1gb benchmark (online backup of a ${fmtBytes(sourceBytes)} database)`, [
      `  source    ${source}: ${fmtInt(sourceBytes)} bytes, ${fmtInt(geometry.pageCount)} pages of ${geometry.pageSize} B; ${buildMs === null ? 'reused from cache' : `built in ${(buildMs / 1000).toFixed(1)} s`}`,
      `  runs      ${rounds.warmup} warm-up + ${rounds.measured} measured, order rotating; each copy deleted after its measurement; source pre-read into the page cache`,
      '',
      statsHeader(width),
      statsLine('spine backup create()', spine, width),
      statsLine('  copy part (online backup)', spineCopy, width),
      statsLine('  verify part (integrity, size)', spineVerify, width),
      statsLine('bare better-sqlite3 db.backup()', bare, width),
      statsLine('bare integrity_check of that copy', bareIntegrity, width),
      statsLine('cp', cp, width),
      statsLine('fsync of the cp copy (not in cp)', cpFsync, width),
      '',
      `  ratio (create() median ÷ cp median): ${ratio.ratio.toFixed(2)}   (median of per-round ratios: ${ratio.pairedRatioMedian.toFixed(2)})`,
      `  create() ${mbps(median(spine)).toFixed(0)} MB/s, cp ${mbps(median(cp)).toFixed(0)} MB/s`,
      `  copy part ÷ bare db.backup(): ${copyVsBare.toFixed(2)};  verify part ÷ bare integrity_check: ${verifyVsIntegrity.toFixed(2)}`,
      '  note: create() runs PRAGMA integrity_check, which reads the whole copy back, and SQLite fsyncs the copy;',
      '        cp does neither (no read-back, no fsync), so the ratio is the price of a verified backup, not pure overhead',
      '',
      `  result: ${resultFile}`,
    ]);
  },
};
