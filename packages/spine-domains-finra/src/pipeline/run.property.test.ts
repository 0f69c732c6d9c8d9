/*
 * Property-based tests of runPipeline: generated FINRA OTC transparency files —
 * real rows sampled from the bundled samples mixed with malformed ones — go
 * through the whole pipeline against one real, migrated SQLite file database
 * per property. Expectations come from the generator (how many data lines a
 * file has, their text, which lines are unmodified real rows) and from what
 * the database and the run report say, never from a second parser.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { ErrorCode } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../samples.js';
import type { FinraTables } from '../tables.js';
import { migratedDb, tableCounts, tempDir } from '../test-support/finra-db.js';
import type { FinraTier } from '../tiers.js';
import { runPipeline } from './run.js';
import type { FileReport, PartitionReport, RunOptions, RunReport } from './run.js';

type Db = SpineDb<FinraTables>;

// ---------------------------------------------------------------------------
// Seed 001 "Rejection Reason Codes", written out here (not imported) on purpose.
const SEED_REJECT_STAGE: Readonly<Record<string, string>> = {
  PARSE_ERROR: 'INGEST',
  INVALID_DATE: 'INGEST',
  NOT_FRIDAY: 'INGEST',
  INVALID_TIER: 'INGEST',
  NEGATIVE_VOLUME: 'NORMALIZE',
  NEGATIVE_TRADES: 'NORMALIZE',
  ZERO_VOLUME: 'NORMALIZE',
  INVALID_SYMBOL: 'NORMALIZE',
  INVALID_MPID: 'NORMALIZE',
  DUPLICATE_KEY: 'NORMALIZE',
};

const STAGE_ORDER = ['INGESTED', 'NORMALIZED', 'AGGREGATED', 'ROLLING', 'SNAPSHOT'];
const reachedNormalize = (p: PartitionReport) => STAGE_ORDER.indexOf(p.stageReached) >= 1;

const WEB_HEADER = 'tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate';
const SIX_HEADER = 'WeekEnding|Tier|Symbol|MPID|TotalShares|TotalTrades';

// ---------------------------------------------------------------------------
// Real rows, read once: every 40th line of each sample (and its last line), and the 6-column fixture.

/** Week each sample file covers (the existing run.test.ts expectations). */
const SAMPLE_WEEK: Readonly<Record<string, string>> = {
  'finra_otc_weekly_otc_20251215.csv': '2025-11-14',
  'finra_otc_weekly_otc_20251222.csv': '2025-11-21',
  'finra_otc_weekly_otc_20251229.csv': '2025-11-28',
};

interface RealRow {
  readonly fields: readonly string[];
  /** The tier the unmodified row denotes. */
  readonly tier: FinraTier;
}

const REAL_WEB: RealRow[] = [];
const REAL_SIX: RealRow[] = [];
for (const path of sampleFiles()) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).slice(1).filter((l) => l !== '');
  const picked = lines.filter((_, i) => i % 40 === 0 || i === lines.length - 1);
  const week = SAMPLE_WEEK[path.slice(path.lastIndexOf('/') + 1)] ?? '2025-11-14';
  for (const line of picked) {
    const fields = line.split('|');
    REAL_WEB.push({ fields, tier: 'OTC' });
    REAL_SIX.push({ fields: [week, 'OTC', fields[1] ?? '', fields[4] ?? '', fields[5] ?? '', fields[6] ?? ''], tier: 'OTC' });
  }
}
// The fixture's WeekEnding 2025-12-13 is a Saturday: the real rows get the week's Friday; the Saturday is one of the mutations.
for (const line of readFileSync(new URL('../fixtures/week_2025-12-13.psv', import.meta.url), 'utf8').split(/\r?\n/).slice(1)) {
  if (line === '') continue;
  const [, ...rest] = line.split('|');
  REAL_SIX.push({ fields: ['2025-12-12', ...rest], tier: 'NMS_TIER_1' });
}

// ---------------------------------------------------------------------------
// Generators.

type Eol = '\n' | '\r\n' | '\r';
type Format = 'web' | 'six';

/** One generated data line. */
interface GenLine {
  /** Fields, or null for a line that is not a row (blank, junk). */
  readonly fields: readonly string[] | null;
  readonly text: string;
  /** Line break used when the file mixes line endings. */
  readonly eol: Eol;
  /** Tier of an unmodified real row (ingest accepts it unless `--tier` names another tier); null otherwise. */
  readonly goodTier: FinraTier | null;
}

type Mutation = { kind: 'set'; index: number; value: string } | { kind: 'lower'; index: number } | { kind: 'drop'; index: number } | { kind: 'add'; index: number; value: string };

const numberText = fc.oneof(
  fc.constantFrom('abc', '12.5', '1e6', '9007199254740993', '99999999999999999999', '-5', '-0', '+0', '0', '', ' ', '1,000', '0x1F', 'NaN', 'Infinity', '+-3', ' 12 ', '+7', '007', '9007199254740991', '-9007199254740991', '1 000'),
  fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }).map(String),
  fc.integer({ min: -1000, max: 5_000_000 }).map(String),
);
const tierText = fc.constantFrom('Tier 9', '', 'nms tier 1', 'T1', 'OTCE', 'NMS Tier 2', 'otc', ' OTC ', 'NMS_TIER_1', 'tier-2', 'OTC Equity');
const mpidText = fc.constantFrom('AB', 'abcd', 'ABCDE', ' OTCN', '', 'OTCN ', 'OT-N', '1234', 'OTCX');
const symbolText = fc.constantFrom('abcd', 'ABCDEFGHIJKLMNOPQ', 'ABCDEFGHIJKLMNOP', 'AB$C', '.ABC', 'A B', '', ' AABB ', 'BRK.B', 'BRK/A', 'ÄBC', 'AABB');
const webDateText = fc.constantFrom('2025-13-45', 'yesterday', '', '2025-02-30', '20251215', '2025-12-16', ' 2025-12-15 ', '2025-12-15T00:00:00', '2025-12-22', '2025-11-03');
const weekText = fc.constantFrom('2025-13-45', 'text', '', '2025-12-13', '2025-11-15', '2025/11/14', '2025-11-21', ' 2025-11-14 ', '2025-12-12', '2025-11-10');
const issueText = fc.constantFrom('Foo "Bar", Inc.', 'Ünïcödé AG', '', '  ', "O'Neil & Co");

const set = (index: number, value: fc.Arbitrary<string>): fc.Arbitrary<Mutation> => value.map((v) => ({ kind: 'set' as const, index, value: v }));
const shapeMutations = (fields: number): fc.Arbitrary<Mutation>[] => [
  fc.nat({ max: fields - 1 }).map((index) => ({ kind: 'drop' as const, index })),
  fc.record({ index: fc.nat({ max: fields }), value: fc.constantFrom('', 'X', '123', ' ') }).map((r) => ({ kind: 'add' as const, ...r })),
];
const WEB_MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  set(0, tierText),
  set(1, symbolText),
  fc.constant({ kind: 'lower' as const, index: 1 }),
  set(2, issueText),
  set(4, mpidText),
  set(5, numberText),
  set(5, fc.constantFrom('0', '-1', '-250')),
  set(6, numberText),
  set(7, webDateText),
  ...shapeMutations(8),
);
const SIX_MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  set(0, weekText),
  set(1, tierText),
  set(2, symbolText),
  fc.constant({ kind: 'lower' as const, index: 2 }),
  set(3, mpidText),
  set(4, numberText),
  set(4, fc.constantFrom('0', '-1', '-250')),
  set(5, numberText),
  ...shapeMutations(6),
);

function applyMutations(fields: readonly string[], mutations: readonly Mutation[]): string[] {
  const out = [...fields];
  for (const m of mutations) {
    if (m.kind === 'set') out[m.index] = m.value;
    else if (m.kind === 'lower') out[m.index] = (out[m.index] ?? '').toLowerCase();
    else if (m.kind === 'drop') out.splice(Math.min(m.index, out.length - 1), 1);
    else out.splice(Math.min(m.index, out.length), 0, m.value);
  }
  return out;
}

const eolArb = fc.oneof({ weight: 6, arbitrary: fc.constant<Eol>('\n') }, { weight: 6, arbitrary: fc.constant<Eol>('\r\n') }, { weight: 1, arbitrary: fc.constant<Eol>('\r') });

function rowLine(format: Format): fc.Arbitrary<GenLine> {
  const bases = format === 'web' ? REAL_WEB : REAL_SIX;
  const mutation = format === 'web' ? WEB_MUTATION : SIX_MUTATION;
  return fc
    .record({
      base: fc.constantFrom(...bases),
      mutations: fc.oneof({ weight: 3, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }) }),
      eol: eolArb,
    })
    .map(({ base, mutations, eol }) => {
      const fields = applyMutations(base.fields, mutations);
      return { fields, text: fields.join('|'), eol, goodTier: mutations.length === 0 ? base.tier : null };
    });
}

function otherLine(format: Format): fc.Arbitrary<GenLine> {
  const otherFormat = format === 'web' ? REAL_SIX : REAL_WEB;
  return fc.record({
    text: fc.oneof(
      fc.constantFrom('', '   ', '\t', 'garbage', 'a|b', '|||', 'OTC|AABB'),
      fc.constantFrom(...otherFormat).map((r) => r.fields.join('|')),
    ),
    eol: eolArb,
  }).map(({ text, eol }) => ({ fields: null, text, eol, goodTier: null }));
}

const lineArb = (format: Format) => fc.oneof({ weight: 12, arbitrary: rowLine(format) }, { weight: 1, arbitrary: otherLine(format) });

/** A duplicate of an earlier line: an exact repeat, or the same key with other numbers. */
const duplicateArb = fc.record({
  from: fc.nat(),
  at: fc.nat(),
  numbers: fc.option(fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 5000 })), { nil: null }),
});

const UNKNOWN_HEADERS = [
  'tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount',
  WEB_HEADER.replaceAll('|', ','),
  'WeekEnding|Tier|Symbol|MPID|TotalShares',
  'weekending|tier|symbol|mpid|totalshares|totaltrades',
  `${SIX_HEADER}|Extra`,
  'OTC|AABB|Asia Broadband Inc Common Stock|OTCN OTC LINK NQB IDQS|OTCN|6753871|171|2025-12-15',
  '',
  '<EMPTY FILE>',
];

/** A generated file before it is written. */
interface GenFile {
  readonly format: Format | 'unknown';
  readonly header: string;
  readonly bom: boolean;
  readonly eolMode: 'lf' | 'crlf' | 'mixed';
  readonly finalNewline: boolean;
  readonly lines: readonly GenLine[];
}

const fileArb: fc.Arbitrary<GenFile> = fc
  .oneof({ weight: 16, arbitrary: fc.constant<Format | 'unknown'>('web') }, { weight: 12, arbitrary: fc.constant<Format | 'unknown'>('six') }, { weight: 1, arbitrary: fc.constant<Format | 'unknown'>('unknown') })
  .chain((format) =>
    fc.record({
      format: fc.constant(format),
      header: format === 'unknown' ? fc.constantFrom(...UNKNOWN_HEADERS) : fc.constant(format === 'web' ? WEB_HEADER : SIX_HEADER),
      bom: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      eolMode: fc.constantFrom<'lf' | 'crlf' | 'mixed'>('lf', 'lf', 'crlf', 'mixed'),
      finalNewline: fc.boolean(),
      lines: fc.array(lineArb(format === 'six' ? 'six' : 'web'), { minLength: 1, maxLength: 37 }),
      duplicates: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(duplicateArb, { minLength: 1, maxLength: 3 }) }),
    }),
  )
  .map(({ duplicates, ...file }) => {
    const lines = [...file.lines];
    const [sharesAt, tradesAt] = file.format === 'six' ? [4, 5] : [5, 6];
    for (const d of duplicates) {
      const source = lines[d.from % lines.length] as GenLine;
      let copy = source;
      if (d.numbers && source.fields && source.fields.length === (file.format === 'six' ? 6 : 8)) {
        const fields = [...source.fields];
        fields[sharesAt] = String(d.numbers[0]);
        fields[tradesAt] = String(d.numbers[1]);
        copy = { ...source, fields, text: fields.join('|') };
      }
      lines.splice(d.at % (lines.length + 1), 0, copy);
    }
    return { ...file, lines };
  });

/** The file's bytes; `marker` (trailing blanks on the header, which the header match trims) makes otherwise equal files distinct. */
function render(file: GenFile, marker: number): string {
  if (file.header === '<EMPTY FILE>') return file.bom ? '\uFEFF' : '';
  const eolOf = (line: { eol: Eol }): string => (file.eolMode === 'lf' ? '\n' : file.eolMode === 'crlf' ? '\r\n' : line.eol);
  const pad = marker === 0 ? '' : ` ${marker.toString(2).replaceAll('0', ' ').replaceAll('1', '\t')}`;
  const pieces: [string, string][] = [[`${file.bom ? '\uFEFF' : ''}${file.header}${pad}`, eolOf(file.lines[0] ?? { eol: '\n' })]];
  file.lines.forEach((line, i) => {
    const last = i === file.lines.length - 1;
    // An empty last line only exists if a line break ends it.
    pieces.push([line.text, last && !file.finalNewline && line.text !== '' ? '' : eolOf(line)]);
  });
  // A lone CR followed by an empty line ended by LF would read as one CRLF break: make it a CRLF of its own.
  return pieces.map(([text, eol], i) => text + (eol === '\r' && pieces[i + 1]?.[0] === '' && pieces[i + 1]?.[1].startsWith('\n') ? '\r\n' : eol)).join('');
}

const FRIDAYS = ['2025-11-14', '2025-11-21', '2025-11-28', '2025-12-12'] as const;
const TIERS: readonly FinraTier[] = ['NMS_TIER_1', 'NMS_TIER_2', 'OTC'];
const optionsArb = fc.record({
  weekEnding: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...FRIDAYS) }),
  tier: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...TIERS) }),
});
const toRunOptions = (o: { weekEnding: string | undefined; tier: FinraTier | undefined }): RunOptions => ({
  ...(o.weekEnding === undefined ? {} : { weekEnding: o.weekEnding }),
  ...(o.tier === undefined ? {} : { tier: o.tier }),
});

// ---------------------------------------------------------------------------
// Database helpers.

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function rows<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db.kysely)).rows;
}
async function count(db: Db, query: RawBuilder<{ n: number }>): Promise<number> {
  return Number((await query.execute(db.kysely)).rows[0]?.n ?? 0);
}

async function traces(db: Db, sha: string, path: string) {
  return {
    captures: await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_captures WHERE source_sha256 = ${sha}`),
    raw: await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_raw r JOIN finra_otc_transparency_captures c USING (capture_id) WHERE c.source_sha256 = ${sha}`),
    rejects: await count(
      db,
      sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_rejects WHERE source_locator = ${path}
        OR load_id IN (SELECT load_id FROM core_load_records WHERE source_sha256 = ${sha})`,
    ),
    loads: await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM core_load_records WHERE source_sha256 = ${sha}`),
    manifest: await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM core_manifest WHERE source_sha256 = ${sha}`),
  };
}

// ---------------------------------------------------------------------------
// The checks.

/** A file of one run, with what the generator knows about it. */
interface RunFile {
  readonly path: string;
  readonly content: string;
  readonly sha: string;
  readonly lines: readonly GenLine[];
  readonly unknownHeader: boolean;
  /** For a replayed file: the status of its first run. */
  readonly replayOf: FileReport['status'] | null;
}

interface Before {
  readonly counts: Record<string, number>;
  readonly maxRejectId: number;
  readonly traces: Map<string, Awaited<ReturnType<typeof traces>>>;
}

async function snapshot(db: Db, files: readonly RunFile[]): Promise<Before> {
  const before = new Map<string, Awaited<ReturnType<typeof traces>>>();
  for (const f of files) before.set(f.path, await traces(db, f.sha, f.path));
  return {
    counts: await tableCounts(db),
    maxRejectId: await count(db, sql<{ n: number }>`SELECT coalesce(max(reject_id), 0) AS n FROM finra_otc_transparency_rejects`),
    traces: before,
  };
}

/** Checks properties 2 and 3 for one run (property 1: the caller awaited runPipeline without a rejection). */
async function checkRun(db: Db, files: readonly RunFile[], report: RunReport, before: Before): Promise<void> {
  expect(report.files).toHaveLength(files.length);
  const byPath = new Map(report.files.map((f) => [f.path, f]));
  const partitionOf = new Map(report.partitions.map((p) => [p.captureId, p]));
  const newCaptureIds = new Set<string>();
  let newRaw = 0;
  let newRejects = 0;
  let loaded = 0;

  for (const file of files) {
    const fr = byPath.get(file.path);
    expect(fr, `no report for ${file.path}`).toBeDefined();
    if (!fr) continue;
    if (file.unknownHeader) {
      expect(fr.status).toBe('error');
      expect(fr.error?.code).toBe(ErrorCode.INPUT_UNKNOWN_FORMAT);
    } else if (file.replayOf !== null) {
      expect(fr.status).toBe(file.replayOf === 'error' ? 'error' : 'unchanged');
    } else {
      expect(fr.status, `a new file did not load: ${JSON.stringify(fr.error)}`).toBe('loaded');
    }

    if (fr.status === 'error') {
      // Nothing of the file is in the database.
      expect(await traces(db, file.sha, file.path)).toEqual({ captures: 0, raw: 0, rejects: 0, loads: 0, manifest: 0 });
      continue;
    }
    expect(fr.lines).toBe(file.lines.length);
    expect(fr.sha256).toBe(file.sha);
    if (fr.status === 'unchanged') {
      // (Manifest rows are left out: another file of the run may take over the (week, tier) rows that carried this sha.)
      const now = await traces(db, file.sha, file.path);
      expect({ ...now, manifest: 0 }).toEqual({ ...before.traces.get(file.path), manifest: 0 });
      continue;
    }

    // Loaded: exactly one load record, every line accounted for.
    loaded += 1;
    const loads = await rows(db, sql<{ load_id: string; lines_total: number; rows_accepted: number; rows_rejected: number; status: string }>`
      SELECT load_id, lines_total, rows_accepted, rows_rejected, status FROM core_load_records WHERE source_sha256 = ${file.sha} AND source_locator = ${file.path}`);
    expect(loads).toHaveLength(1);
    const load = loads[0] as (typeof loads)[number];
    expect(load.status).toBe('LOADED');
    expect(load.lines_total).toBe(load.rows_accepted + load.rows_rejected);
    expect(load.lines_total).toBe(file.lines.length);

    const captures = await rows(db, sql<{ capture_id: string; lines_total: number; source_sha256: string; week_ending: string; tier: string }>`
      SELECT capture_id, lines_total, source_sha256, week_ending, tier FROM finra_otc_transparency_captures WHERE load_id = ${load.load_id}`);
    let accounted = 0;
    for (const capture of captures) {
      newCaptureIds.add(capture.capture_id);
      expect(capture.source_sha256).toBe(file.sha);
      const p = partitionOf.get(capture.capture_id);
      expect(p, `capture ${capture.capture_id} missing from the report`).toBeDefined();
      if (!p) continue;
      expect(p.status).not.toBe('unchanged');
      const raw = await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_raw WHERE capture_id = ${capture.capture_id}`);
      const venue = await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_weekly_symbol_venue_volume WHERE capture_id = ${capture.capture_id}`);
      const ingestRejects = await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_rejects WHERE capture_id = ${capture.capture_id} AND stage = 'INGEST'`);
      const normalizeRejects = await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_rejects WHERE capture_id = ${capture.capture_id} AND stage = 'NORMALIZE'`);
      newRaw += raw;
      accounted += reachedNormalize(p) ? venue : raw;
      // 3. No partial week: the capture holds all its lines; venue rows only after NORMALIZED, and then all of them.
      expect(raw + ingestRejects).toBe(capture.lines_total);
      expect(p.lines).toBe(capture.lines_total);
      if (reachedNormalize(p)) {
        expect(venue + normalizeRejects).toBe(raw);
        expect(p.accepted).toBe(venue);
      } else {
        expect(venue).toBe(0);
        expect(normalizeRejects).toBe(0);
      }
      const manifest = await rows(db, sql<{ stage: string; row_count_in: number; row_count_out: number; row_count_rejected: number; source_sha256: string | null }>`
        SELECT stage, row_count_in, row_count_out, row_count_rejected, source_sha256 FROM core_manifest WHERE capture_id = ${capture.capture_id}`);
      for (const m of manifest) {
        if (m.stage === 'INGESTED') {
          expect([m.row_count_in, m.row_count_out, m.row_count_rejected, m.source_sha256]).toEqual([capture.lines_total, raw, ingestRejects, file.sha]);
        }
        if (m.stage === 'NORMALIZED') {
          expect(reachedNormalize(p)).toBe(true);
          expect([m.row_count_in, m.row_count_out, m.row_count_rejected]).toEqual([raw, venue, normalizeRejects]);
        }
      }
      if (venue > 0) expect(reachedNormalize(p)).toBe(true);
    }
    const rejects = await count(db, sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_rejects WHERE load_id = ${load.load_id}`);
    newRejects += rejects;
    // 2. Nothing lost: every data line is a venue row, a raw row short of NORMALIZED, or a reject.
    expect(accounted + rejects).toBe(file.lines.length);
    // Every data line is stored once under its own line number, as written.
    const stored = await rows(db, sql<{ line_number: number; raw_line: string }>`
      SELECT line_number, raw_line FROM finra_otc_transparency_raw WHERE load_id = ${load.load_id}
      UNION ALL SELECT line_number, raw_line FROM finra_otc_transparency_rejects WHERE load_id = ${load.load_id} AND stage = 'INGEST'
      ORDER BY line_number`);
    expect(stored).toEqual(file.lines.map((l, i) => ({ line_number: i + 2, raw_line: l.text })));
  }

  // 3. For the last capture processed per (week, tier), the manifest's NORMALIZED row is its iff it got there.
  const lastProcessed = new Map<string, PartitionReport>();
  for (const p of report.partitions) if (p.status !== 'unchanged') lastProcessed.set(p.partitionKey, p);
  for (const p of lastProcessed.values()) {
    const row = await rows(db, sql<{ capture_id: string }>`SELECT capture_id FROM core_manifest WHERE partition_key = ${p.partitionKey} AND stage = 'NORMALIZED'`);
    expect(row[0]?.capture_id === p.captureId).toBe(reachedNormalize(p));
  }

  // Every reject written by the run carries a seed 001 code and the stage that assigns it.
  const rejects = await rows(db, sql<{ reason_code: string; stage: string; reason_detail: string }>`
    SELECT reason_code, stage, reason_detail FROM finra_otc_transparency_rejects WHERE reject_id > ${before.maxRejectId}`);
  for (const r of rejects) {
    expect(Object.keys(SEED_REJECT_STAGE)).toContain(r.reason_code);
    expect(r.stage).toBe(SEED_REJECT_STAGE[r.reason_code]);
    expect(r.reason_detail.length).toBeGreaterThan(0);
  }

  // Nothing written beyond what the loaded files account for.
  const after = await tableCounts(db);
  expect(after.finra_otc_transparency_captures! - before.counts.finra_otc_transparency_captures!).toBe(newCaptureIds.size);
  expect(after.core_load_records! - before.counts.core_load_records!).toBe(loaded);
  expect(after.finra_otc_transparency_raw! - before.counts.finra_otc_transparency_raw!).toBe(newRaw);
  const resumed = report.partitions.some((p) => p.status !== 'unchanged' && !newCaptureIds.has(p.captureId));
  if (!resumed) expect(after.finra_otc_transparency_rejects! - before.counts.finra_otc_transparency_rejects!).toBe(newRejects);
  if (report.batchId === null) {
    // Only unchanged or unreadable files: nothing at all was written, not even the execution log.
    expect(report.files.every((f) => f.status !== 'loaded')).toBe(true);
    expect(after).toEqual(before.counts);
  }
}

// ---------------------------------------------------------------------------

/** Writes generated files into `dir`, each distinct from every file written before (unless unreadable). */
function fileWriter(dir: string) {
  const seen = new Set<string>();
  let serial = 0;
  const nextPath = (suffix: string) => join(dir, `f${String(++serial).padStart(6, '0')}${suffix}`);
  return {
    nextPath,
    write(file: GenFile): RunFile {
      let marker = 0;
      let content = render(file, marker);
      // Unreadable files write nothing, so equal bytes do not matter (and an empty file cannot be told apart).
      while (file.format !== 'unknown' && seen.has(sha256(content))) content = render(file, ++marker);
      seen.add(sha256(content));
      const path = nextPath(file.format === 'six' ? '.psv' : '.csv');
      writeFileSync(path, content);
      return { path, content, sha: sha256(content), lines: file.lines, unknownHeader: file.format === 'unknown', replayOf: null };
    },
  };
}

const NUM_RUNS = 450;
const FAULT_RUNS = 200;
const REPORT_RUNS = 100;
const TIMEOUT = 300_000;

describe('runPipeline on generated files (property-based)', () => {
  let db: Db;
  let files: ReturnType<typeof fileWriter>;
  let generatedFiles = 0;
  const history: { file: RunFile; options: string; status: FileReport['status'] }[] = [];

  beforeAll(async () => {
    const dir = tempDir();
    db = await migratedDb(join(dir, 'property.db'));
    files = fileWriter(dir);
  });
  afterAll(async () => db?.close());

  it(
    'loses no line, writes no partial week and never throws, on a mix of real and malformed rows',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          optionsArb,
          fc.array(fileArb, { minLength: 2, maxLength: 4 }),
          // Sometimes the run also takes (or only takes) a file run before, byte for byte, with the same options.
          fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ pick: fc.nat(), only: fc.boolean() }) }),
          async (options, generated, replay) => {
            const optionsKey = JSON.stringify(options);
            const candidates = history.filter((h) => h.options === optionsKey);
            const run: RunFile[] = [];
            const replayed = replay !== null && candidates.length > 0 ? (candidates[replay.pick % candidates.length] as (typeof candidates)[number]) : null;
            if (replayed) {
              const path = files.nextPath('_replay.csv');
              writeFileSync(path, replayed.file.content);
              run.push({ ...replayed.file, path, replayOf: replayed.status });
            }
            if (!(replayed && replay?.only)) {
              for (const g of generated) run.push(files.write(g));
              generatedFiles += generated.length;
            }
            const before = await snapshot(db, run);
            const report = await runPipeline(
              db,
              run.map((f) => f.path),
              toRunOptions(options),
            );
            await checkRun(db, run, report, before);
            for (const f of run) {
              if (f.replayOf === null) history.push({ file: f, options: optionsKey, status: report.files.find((r) => r.path === f.path)?.status ?? 'error' });
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
      expect(generatedFiles).toBeGreaterThanOrEqual(1000);
    },
    TIMEOUT,
  );
});

const readableFileArb = fileArb.filter((f) => f.format !== 'unknown');

describe('runPipeline with an injected database failure (property-based)', () => {
  let db: Db;
  let files: ReturnType<typeof fileWriter>;

  beforeAll(async () => {
    const dir = tempDir();
    db = await migratedDb(join(dir, 'fault.db'));
    files = fileWriter(dir);
  });
  afterAll(async () => db?.close());

  it(
    'writes nothing of a file whose raw insert fails at line k, and loads it normally when line k never reaches raw',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          optionsArb,
          readableFileArb.chain((file) =>
            fc.record({
              file: fc.constant(file),
              // Mostly a data line of the file; sometimes the header or a line past the end.
              k: fc.oneof({ weight: 5, arbitrary: fc.nat({ max: file.lines.length - 1 }).map((i) => i + 2) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 45 }) }),
            }),
          ),
          async (options, { file: generated, k }) => {
            const file = files.write(generated);
            const before = await snapshot(db, [file]);
            const manifestBefore = await rows(db, sql`SELECT * FROM core_manifest ORDER BY domain, partition_key, stage`);
            await db.executor().exec(`CREATE TRIGGER injected_fault BEFORE INSERT ON finra_otc_transparency_raw
              WHEN new.line_number = ${k} BEGIN SELECT RAISE(ABORT, 'injected'); END`);
            let report: RunReport;
            try {
              report = await runPipeline(db, [file.path], toRunOptions(options));
            } finally {
              await db.executor().exec('DROP TRIGGER injected_fault');
            }
            const fr = report.files[0];
            expect(report.files).toHaveLength(1);
            // Line k is an unmodified real row of the declared tier: ingest accepts it, so its raw insert fails.
            const target = file.lines[k - 2];
            if (target?.goodTier != null && (options.tier === undefined || options.tier === target.goodTier)) expect(fr?.status).toBe('error');
            // Line k is not a data line: nothing can fail.
            if (k < 2 || k > file.lines.length + 1) expect(fr?.status).toBe('loaded');

            if (fr?.status === 'error') {
              expect(fr.error?.message).toContain('injected');
              expect(await traces(db, file.sha, file.path)).toEqual({ captures: 0, raw: 0, rejects: 0, loads: 0, manifest: 0 });
              const { core_executions: _after, ...after } = await tableCounts(db);
              const { core_executions: _before, ...unchanged } = before.counts;
              expect(after).toEqual(unchanged);
              expect(await rows(db, sql`SELECT * FROM core_manifest ORDER BY domain, partition_key, stage`)).toEqual(manifestBefore);
              expect(report.partitions).toEqual([]);
              expect(report.status).toBe('failed');
            } else {
              expect(fr?.status).toBe('loaded');
              await checkRun(db, [file], report, before);
              const atK = await count(
                db,
                sql<{ n: number }>`SELECT count(*) AS n FROM finra_otc_transparency_raw r JOIN finra_otc_transparency_captures c USING (capture_id)
                  WHERE c.source_sha256 = ${file.sha} AND r.line_number = ${k}`,
              );
              expect(atK).toBe(0);
            }
          },
        ),
        { numRuns: FAULT_RUNS },
      );
    },
    TIMEOUT,
  );
});

/*
 * Running the same bytes again. The first property is not in the brief: the
 * run report's own bookkeeping — every line of a capture is accepted or
 * rejected, so a partition report's accepted + rejected must equal its lines,
 * also for a capture reported 'unchanged' after a later file of the same
 * (week, tier) superseded it. The second is the brief's "a file reported
 * 'unchanged' writes nothing (table counts unchanged)" taken on its own, for
 * files whose (week, tier) a quality check may have stopped.
 */
describe('running the same bytes again (property-based)', () => {
  let db: Db;
  let files: ReturnType<typeof fileWriter>;

  beforeAll(async () => {
    const dir = tempDir();
    db = await migratedDb(join(dir, 'rerun.db'));
    files = fileWriter(dir);
  });
  afterAll(async () => db?.close());

  it(
    "counts every line of a partition once (accepted + rejected = lines), also for a superseded capture's replay",
    async () => {
      await fc.assert(
        fc.asyncProperty(optionsArb, readableFileArb, readableFileArb, async (options, a, b) => {
          const first = files.write(a);
          const second = files.write(b);
          const reports = [
            await runPipeline(db, [first.path], toRunOptions(options)),
            await runPipeline(db, [second.path], toRunOptions(options)),
            await runPipeline(db, [first.path], toRunOptions(options)),
          ];
          for (const report of reports) {
            for (const p of report.partitions) {
              expect({ captureId: p.captureId, status: p.status, stageReached: p.stageReached, counted: p.accepted + p.rejected }).toEqual({
                captureId: p.captureId,
                status: p.status,
                stageReached: p.stageReached,
                counted: p.lines,
              });
            }
          }
        }),
        { numRuns: REPORT_RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "writes nothing for a file reported 'unchanged' (table counts unchanged)",
    async () => {
      await fc.assert(
        fc.asyncProperty(optionsArb, readableFileArb, async (options, generated) => {
          const file = files.write(generated);
          const first = await runPipeline(db, [file.path], toRunOptions(options));
          expect(first.files[0]?.status).toBe('loaded');
          const before = await tableCounts(db);
          const again = await runPipeline(db, [file.path], toRunOptions(options));
          expect(again.files[0]?.status).toBe('unchanged');
          // A (week, tier) a failed check stopped is not retried: unchanged, with the reason as its error.
          expect({ counts: await tableCounts(db), partitions: again.partitions.map((p) => [p.status, p.stageReached, p.error?.code ?? null]) }).toEqual({
            counts: before,
            partitions: first.partitions.map((p) => ['unchanged', p.stageReached, p.status === 'stopped' ? 'QUALITY_FAILED' : null]),
          });
        }),
        { numRuns: REPORT_RUNS },
      );
    },
    TIMEOUT,
  );
});
