import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas, filterSnapshot, serializeSnapshot } from '../../schema/schema-snapshot.js';
import type { SchemaSnapshot } from '../../schema/schema-snapshot.js';
import { openSpineDb } from '../../spine-db.js';
import { snapshotSqliteSchema } from './sqlite-schema.js';

async function snapshotOf(ddl: string): Promise<SchemaSnapshot> {
  const db = await openSpineDb(':memory:');
  try {
    await db.executor().exec(ddl);
    return await snapshotSqliteSchema(db.executor());
  } finally {
    await db.close();
  }
}

/** `text` with `from` replaced once; fails loudly when `from` is absent, so a test cannot pass by editing nothing. */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

const BASE = `
CREATE TABLE finra_parent (id TEXT PRIMARY KEY, code TEXT NOT NULL);
CREATE TABLE finra_notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE finra_x (
  week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9]*'),
  total_volume INTEGER NOT NULL DEFAULT 0 CHECK (total_volume >= 0),
  share REAL CHECK (share BETWEEN 0 AND 1),
  parent_id TEXT REFERENCES finra_parent (id) ON DELETE CASCADE,
  note TEXT,
  captured_at TEXT NOT NULL,
  UNIQUE (week_ending, parent_id)
);
CREATE INDEX idx_x_latest ON finra_x (week_ending, captured_at DESC);
CREATE INDEX idx_x_positive ON finra_x (parent_id) WHERE total_volume > 0;
CREATE VIEW finra_x_latest AS SELECT x.week_ending, x.share FROM finra_x AS x WHERE x.share > 0.5;
CREATE TRIGGER trg_x_parent AFTER INSERT ON finra_x BEGIN UPDATE finra_parent SET code = 'seen' WHERE id = new.parent_id; END;
`;

describe('snapshotSqliteSchema', () => {
  it('gives equal snapshots for equivalent DDL written differently, with a column added by ALTER TABLE', async () => {
    const declared = await snapshotOf(`
      CREATE TABLE finra_x (
        id INTEGER PRIMARY KEY,
        week_ending TEXT NOT NULL CHECK (week_ending GLOB '[0-9]*'),
        total_volume INTEGER NOT NULL DEFAULT 0 CHECK (total_volume >= 0),
        share REAL DEFAULT -1 CHECK (share BETWEEN -1 AND 1),
        note TEXT DEFAULT 'n/a' CHECK (length(note) > 0),
        UNIQUE (week_ending, id)
      );
      CREATE INDEX idx_x ON finra_x (week_ending, total_volume DESC, lower(note)) WHERE total_volume > 0;
      CREATE VIEW finra_x_v AS SELECT x.id, x.week_ending FROM finra_x AS x WHERE x.total_volume > 0 ORDER BY x.id DESC;
      CREATE TRIGGER trg_x AFTER DELETE ON finra_x BEGIN DELETE FROM finra_x WHERE id = old.id + 1; END;
    `);
    const altered = await snapshotOf(`
      -- the same schema, reached another way
      create table IF NOT EXISTS "FINRA_X"(ID integer primary key,
         /* business date */ Week_Ending text not null check(week_ending glob '[0-9]*'),
         [total_volume] integer NOT NULL default (0) check ( ( TOTAL_VOLUME>=0 ) ),
         Share real default -1 check (share between -1 and 1),
         unique("week_ending",id));
      ALTER TABLE finra_x ADD COLUMN note text default 'n/a' check (LENGTH( NOTE )>0);
      create index IDX_X on finra_x(WEEK_ENDING asc, Total_Volume desc, LOWER(Note)) where TOTAL_VOLUME>0;
      create view if not exists "FINRA_X_V" as
        select X.ID, x.week_ending   -- columns
        from FINRA_X as X where X.total_volume>0 order by x.id desc;
      create trigger TRG_X after delete on FINRA_X begin
        delete from finra_x where ID=OLD.id+1;
      end;
    `);
    expect(diffSchemas(declared, altered)).toEqual([]);
    expect(serializeSnapshot(altered)).toBe(serializeSnapshot(declared));
    expect(declared.tables['finra_x']?.columns.at(-1)).toEqual({ name: 'note', type: 'TEXT', notNull: false, default: "'n/a'", primaryKeyPosition: 0 });
    expect(declared.tables['finra_x']?.checks).toEqual(["length(note) > 0", "share BETWEEN -1 AND 1", "total_volume >= 0", "week_ending GLOB '[0-9]*'"]);
    expect(declared.indexes['idx_x']).toEqual({ table: 'finra_x', unique: false, columns: ['week_ending', 'total_volume DESC', 'lower(note)'], where: 'total_volume > 0' });
    expect(declared.views['finra_x_v']?.sql).toBe('CREATE VIEW finra_x_v AS SELECT x.id, x.week_ending FROM finra_x AS x WHERE x.total_volume > 0 ORDER BY x.id DESC');
  });

  it('records uniques, primary keys, foreign keys, WITHOUT ROWID and generated columns', async () => {
    const snapshot = await snapshotOf(`
      CREATE TABLE p (id INTEGER PRIMARY KEY);
      CREATE TABLE t (a TEXT, b INTEGER, c TEXT UNIQUE, d INTEGER REFERENCES p, e INTEGER GENERATED ALWAYS AS (b * 2) VIRTUAL,
        PRIMARY KEY (a, b), UNIQUE (b, c)) WITHOUT ROWID;
      CREATE UNIQUE INDEX ix_t ON t (c COLLATE NOCASE, b DESC);
    `);
    const t = snapshot.tables['t']!;
    expect(t.columns.map((c) => [c.name, c.primaryKeyPosition, c.hidden])).toEqual([
      ['a', 1, undefined],
      ['b', 2, undefined],
      ['c', 0, undefined],
      ['d', 0, undefined],
      ['e', 0, 2],
    ]);
    expect(t.uniques).toEqual([['b', 'c'], ['c']]);
    expect(t.foreignKeys).toEqual([{ columns: ['d'], table: 'p', references: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }]);
    expect(t.withoutRowid).toBe(true);
    expect(snapshot.indexes).toEqual({ ix_t: { table: 't', unique: true, columns: ['c COLLATE nocase', 'b DESC'], where: null } });
  });

  it.each([
    ['a missing table', (ddl: string) => edit(ddl, 'CREATE TABLE finra_notes (id INTEGER PRIMARY KEY, body TEXT);', ''), [
      { kind: 'missing', objectType: 'table', name: 'finra_notes', detail: 'table finra_notes: expected, not found' },
    ]],
    ['an extra table', (ddl: string) => `${ddl} CREATE TABLE finra_other (a INTEGER);`, [
      { kind: 'extra', objectType: 'table', name: 'finra_other', detail: 'table finra_other: found, not expected' },
    ]],
    ['a missing column', (ddl: string) => edit(ddl, '  note TEXT,\n', ''), [
      { kind: 'missing', objectType: 'column', table: 'finra_x', name: 'note', detail: 'column finra_x.note: expected (TEXT), not found' },
    ]],
    ['an extra column', (ddl: string) => `${ddl} ALTER TABLE finra_x ADD COLUMN source TEXT NOT NULL DEFAULT 'file';`, [
      { kind: 'extra', objectType: 'column', table: 'finra_x', name: 'source', detail: "column finra_x.source: found (TEXT NOT NULL DEFAULT 'file'), not expected" },
    ]],
    ['a column of another type', (ddl: string) => edit(ddl, 'total_volume INTEGER NOT NULL', 'total_volume REAL NOT NULL'), [
      { kind: 'changed', objectType: 'column', table: 'finra_x', name: 'total_volume', detail: 'column finra_x.total_volume: type INTEGER expected, REAL found' },
    ]],
    ['a nullable column', (ddl: string) => edit(ddl, 'captured_at TEXT NOT NULL', 'captured_at TEXT'), [
      { kind: 'changed', objectType: 'column', table: 'finra_x', name: 'captured_at', detail: 'column finra_x.captured_at: NOT NULL expected, nullable found' },
    ]],
    ['another default', (ddl: string) => edit(ddl, 'DEFAULT 0', 'DEFAULT -1'), [
      { kind: 'changed', objectType: 'column', table: 'finra_x', name: 'total_volume', detail: 'column finra_x.total_volume: default 0 expected, -1 found' },
    ]],
    ['a changed CHECK', (ddl: string) => edit(ddl, 'share BETWEEN 0 AND 1', 'share BETWEEN 0 AND 100'), [
      {
        kind: 'changed',
        objectType: 'check',
        table: 'finra_x',
        name: 'share BETWEEN 0 AND 1',
        expected: 'share BETWEEN 0 AND 1',
        actual: 'share BETWEEN 0 AND 100',
        detail: 'CHECK on finra_x: CHECK (share BETWEEN 0 AND 1) expected, CHECK (share BETWEEN 0 AND 100) found',
      },
    ]],
    ['a missing index', (ddl: string) => edit(ddl, 'CREATE INDEX idx_x_latest ON finra_x (week_ending, captured_at DESC);', ''), [
      { kind: 'missing', objectType: 'index', table: 'finra_x', name: 'idx_x_latest', detail: 'index idx_x_latest on finra_x: expected, not found' },
    ]],
    ['an index with other columns', (ddl: string) => edit(ddl, '(week_ending, captured_at DESC)', '(week_ending, note, captured_at DESC)'), [
      { kind: 'changed', objectType: 'index', name: 'idx_x_latest', detail: 'index idx_x_latest: columns (week_ending, captured_at DESC) expected, (week_ending, note, captured_at DESC) found' },
    ]],
    ['an index in another order', (ddl: string) => edit(ddl, '(week_ending, captured_at DESC)', '(week_ending, captured_at)'), [
      { kind: 'changed', objectType: 'index', name: 'idx_x_latest', detail: 'index idx_x_latest: columns (week_ending, captured_at DESC) expected, (week_ending, captured_at) found' },
    ]],
    ['a unique index', (ddl: string) => edit(ddl, 'CREATE INDEX idx_x_positive', 'CREATE UNIQUE INDEX idx_x_positive'), [
      { kind: 'changed', objectType: 'index', name: 'idx_x_positive', detail: 'index idx_x_positive: not unique expected, UNIQUE found' },
    ]],
    ['another partial-index condition', (ddl: string) => edit(ddl, 'WHERE total_volume > 0', 'WHERE total_volume > 10'), [
      { kind: 'changed', objectType: 'index', name: 'idx_x_positive', detail: 'index idx_x_positive: WHERE total_volume > 0 expected, WHERE total_volume > 10 found' },
    ]],
    ['a changed view', (ddl: string) => edit(ddl, 'x.share > 0.5', 'x.share > 0.6'), [
      {
        kind: 'changed',
        objectType: 'view',
        name: 'finra_x_latest',
        detail: 'view finra_x_latest: definition differs at "… AS x WHERE x.share > 0.5" expected, "… AS x WHERE x.share > 0.6" found',
      },
    ]],
    ['a missing trigger', (ddl: string) => edit(ddl, "CREATE TRIGGER trg_x_parent AFTER INSERT ON finra_x BEGIN UPDATE finra_parent SET code = 'seen' WHERE id = new.parent_id; END;", ''), [
      { kind: 'missing', objectType: 'trigger', table: 'finra_x', name: 'trg_x_parent', detail: 'trigger trg_x_parent on finra_x: expected, not found' },
    ]],
    ['a changed foreign key', (ddl: string) => edit(ddl, 'ON DELETE CASCADE', 'ON DELETE SET NULL'), [
      {
        kind: 'changed',
        objectType: 'foreign_key',
        table: 'finra_x',
        name: 'parent_id',
        detail:
          'foreign key on finra_x(parent_id): REFERENCES finra_parent(id) ON DELETE CASCADE ON UPDATE NO ACTION expected, REFERENCES finra_parent(id) ON DELETE SET NULL ON UPDATE NO ACTION found',
      },
    ]],
  ])('reports %s precisely', async (_, change, drift) => {
    const expected = await snapshotOf(BASE);
    expect(diffSchemas(expected, await snapshotOf(BASE))).toEqual([]);
    const items = diffSchemas(expected, await snapshotOf(change(BASE)));
    expect(items).toHaveLength(drift.length);
    expect(items).toMatchObject(drift);
  });
});

const here = fileURLToPath(new URL('.', import.meta.url));
const MIGRATION_DIRS = [join(here, '../../../migrations/basic'), join(here, '../../../../spine-domains-finra/migrations/basic')];

/** Portable up scripts only: `NNNN_slug.sql`, not `.down.sql` nor dialect variants such as `.postgres.sql`. */
const UP_SCRIPT = /^\d{4}_[a-z0-9_]+\.sql$/;

/** Applies every basic migration of spine-core, then of the FINRA domain, in file order, to a fresh in-memory database. */
async function snapshotFinraSchema(extraDdl = ''): Promise<SchemaSnapshot> {
  const scripts = MIGRATION_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => UP_SCRIPT.test(file))
      .sort()
      .map((file) => readFileSync(join(dir, file), 'utf8')),
  );
  expect(scripts).toHaveLength(16);
  return snapshotOf(`${scripts.join('\n;\n')}\n;\n${extraDdl}`);
}

describe('snapshot of the FINRA schema', () => {
  it('records the known tables, constraints, indexes and views in normalized form', async () => {
    const snapshot = await snapshotFinraSchema();
    const venueShare = snapshot.tables['finra_otc_transparency_venue_share']!;
    expect(venueShare.columns.find((c) => c.name === 'market_share')).toEqual({
      name: 'market_share',
      type: 'REAL',
      notNull: true,
      default: null,
      primaryKeyPosition: 0,
    });
    expect(venueShare.checks).toContain('market_share BETWEEN 0 AND 1');
    expect(venueShare.checks).toContain("length(mpid) = 4 AND mpid NOT GLOB '*[^A-Z0-9]*'");
    expect(venueShare.uniques).toEqual([['week_ending', 'tier', 'mpid', 'calc_name', 'calc_version', 'capture_id']]);
    expect(venueShare.foreignKeys).toEqual([
      { columns: ['capture_id'], table: 'finra_otc_transparency_captures', references: ['capture_id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
    ]);

    const latest = snapshot.indexes['idx_fotc_venue_share_latest']!;
    expect(latest).toMatchObject({ table: 'finra_otc_transparency_venue_share', unique: false, where: null });
    expect(latest.columns.slice(-2)).toEqual(['captured_at DESC', 'capture_id DESC']);
    expect(snapshot.indexes['idx_core_anomalies_open']).toEqual({ table: 'core_anomalies', unique: false, columns: ['severity', 'detected_at'], where: 'resolved_at IS NULL' });
    expect(snapshot.tables['core_manifest']?.columns.filter((c) => c.primaryKeyPosition > 0).map((c) => c.name)).toEqual(['domain', 'partition_key', 'stage']);
    expect(snapshot.tables['core_load_records']?.checks).toContain('lines_total = rows_accepted + rows_rejected');
    expect(Object.keys(snapshot.indexes).some((name) => name.startsWith('sqlite_'))).toBe(false);

    expect(snapshot.views['finra_otc_transparency_venue_share_latest']?.sql).toMatch(
      /^CREATE VIEW finra_otc_transparency_venue_share_latest AS SELECT t\.\* FROM finra_otc_transparency_venue_share AS t WHERE t\.calc_name = 'venue_market_share' AND .* ORDER BY c\.captured_at DESC, c\.capture_id DESC LIMIT 1\)$/,
    );
  });

  it('serializes byte-stably across two builds, and filters out bookkeeping objects', async () => {
    const first = await snapshotFinraSchema();
    const second = await snapshotFinraSchema();
    expect(serializeSnapshot(second)).toBe(serializeSnapshot(first));

    const cluttered = await snapshotFinraSchema(`
      CREATE TABLE _migrations (migration_id TEXT PRIMARY KEY);
      CREATE TABLE _scratch_week (a INTEGER);
      CREATE INDEX _scratch_week_a ON _scratch_week (a);
      CREATE VIEW _exp_view AS SELECT 1 AS one;
      ANALYZE;
    `);
    expect(Object.keys(cluttered.tables)).toContain('_migrations');
    expect(Object.keys(cluttered.tables)).not.toContain('sqlite_stat1');
    const include = (name: string): boolean => !/^(_migrations|sqlite_|_scratch_|_exp_)/.test(name);
    const filtered = filterSnapshot(cluttered, include);
    expect(Object.keys(filtered.tables)).not.toContain('_migrations');
    expect(Object.keys(filtered.tables)).not.toContain('_scratch_week');
    expect(filtered.indexes['_scratch_week_a']).toBeUndefined();
    expect(filtered.views['_exp_view']).toBeUndefined();
    expect(diffSchemas(first, filtered)).toEqual([]);
    expect(serializeSnapshot(filtered)).toBe(serializeSnapshot(first));
  });
});
