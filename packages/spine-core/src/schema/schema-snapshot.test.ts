import { describe, expect, it } from 'vitest';
import { diffSchemas, filterSnapshot, serializeSnapshot } from './schema-snapshot.js';
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from './schema-snapshot.js';

const column = (name: string, type: string, more: Partial<ColumnSnapshot> = {}): ColumnSnapshot => ({
  name,
  type,
  notNull: false,
  default: null,
  primaryKeyPosition: 0,
  ...more,
});

const table = (more: Partial<TableSnapshot> = {}): TableSnapshot => ({
  columns: [column('week_ending', 'TEXT', { notNull: true }), column('total_volume', 'INTEGER', { notNull: true, default: '0' })],
  checks: ['total_volume >= 0'],
  uniques: [['week_ending']],
  foreignKeys: [{ columns: ['capture_id'], table: 'finra_captures', references: ['capture_id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }],
  ...more,
});

/** A small schema; `change` edits a fresh copy, so every test starts from the same one. */
function schema(change: (s: SchemaSnapshot) => void = () => {}): SchemaSnapshot {
  const s: SchemaSnapshot = {
    dialect: 'sqlite',
    tables: { finra_x: table(), finra_y: table() },
    indexes: { idx_x_latest: { table: 'finra_x', unique: false, columns: ['week_ending', 'captured_at DESC'], where: null } },
    views: { finra_x_latest: { sql: 'CREATE VIEW finra_x_latest AS SELECT * FROM finra_x' } },
    triggers: { trg_x: { table: 'finra_x', sql: 'CREATE TRIGGER trg_x AFTER INSERT ON finra_x BEGIN SELECT 1; END' } },
  };
  change(s);
  return s;
}

describe('diffSchemas', () => {
  it('finds nothing between equal snapshots', () => {
    expect(diffSchemas(schema(), schema())).toEqual([]);
  });

  it('describes a changed column in one sentence per column', () => {
    const actual = schema((s) => {
      s.tables['finra_x']!.columns[1] = column('total_volume', 'REAL', { notNull: false, default: '0' });
    });
    expect(diffSchemas(schema(), actual)).toEqual([
      {
        kind: 'changed',
        objectType: 'column',
        name: 'total_volume',
        table: 'finra_x',
        expected: column('total_volume', 'INTEGER', { notNull: true, default: '0' }),
        actual: column('total_volume', 'REAL', { default: '0' }),
        detail: 'column finra_x.total_volume: type INTEGER expected, REAL found; NOT NULL expected, nullable found',
      },
    ]);
  });

  it('reports missing, extra and changed objects of every kind, sorted by table, object type and name', () => {
    const actual = schema((s) => {
      delete s.tables['finra_y'];
      s.tables['finra_z'] = table();
      s.tables['finra_x']!.columns.push(column('note', 'TEXT'));
      s.tables['finra_x']!.columns.reverse();
      s.tables['finra_x']!.withoutRowid = true;
      s.indexes['idx_x_latest'] = { table: 'finra_x', unique: true, columns: ['week_ending'], where: 'total_volume > 0' };
      s.indexes['idx_z'] = { table: 'finra_z', unique: false, columns: ['week_ending'], where: null };
      s.views['finra_x_latest'] = { sql: 'CREATE VIEW finra_x_latest AS SELECT * FROM finra_z' };
      delete s.triggers['trg_x'];
    });
    expect(diffSchemas(schema(), actual).map((item) => [item.kind, item.objectType, item.table ?? '', item.name, item.detail])).toEqual([
      ['changed', 'table', '', 'finra_x', 'table finra_x: column order (week_ending, total_volume) expected, (total_volume, week_ending) found'],
      ['changed', 'table', '', 'finra_x', 'table finra_x: rowid table expected, WITHOUT ROWID found'],
      ['extra', 'column', 'finra_x', 'note', 'column finra_x.note: found (TEXT), not expected'],
      [
        'changed',
        'index',
        'finra_x',
        'idx_x_latest',
        'index idx_x_latest: columns (week_ending, captured_at DESC) expected, (week_ending) found; not unique expected, UNIQUE found; no WHERE expected, WHERE total_volume > 0 found',
      ],
      ['missing', 'trigger', 'finra_x', 'trg_x', 'trigger trg_x on finra_x: expected, not found'],
      ['changed', 'view', '', 'finra_x_latest', 'view finra_x_latest: definition differs at "… AS SELECT * FROM finra_x" expected, "… AS SELECT * FROM finra_z" found'],
      ['missing', 'table', '', 'finra_y', 'table finra_y: expected, not found'],
      ['extra', 'table', '', 'finra_z', 'table finra_z: found, not expected'],
      ['extra', 'index', 'finra_z', 'idx_z', 'index idx_z on finra_z: found, not expected'],
    ]);
  });

  it('pairs a lone changed CHECK, UNIQUE or foreign key as changed, and lists the rest as missing and extra', () => {
    const actual = schema((s) => {
      s.tables['finra_x']!.checks = ['total_volume > 0'];
      s.tables['finra_x']!.uniques = [['week_ending', 'tier']];
      s.tables['finra_x']!.foreignKeys = [{ columns: ['capture_id'], table: 'finra_captures', references: ['capture_id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }];
      s.tables['finra_y']!.checks = ['a > 0', 'b > 0'];
    });
    expect(diffSchemas(schema(), actual).map((item) => [item.kind, item.objectType, item.table, item.name, item.detail])).toEqual([
      ['changed', 'check', 'finra_x', 'total_volume >= 0', 'CHECK on finra_x: CHECK (total_volume >= 0) expected, CHECK (total_volume > 0) found'],
      ['changed', 'unique', 'finra_x', 'week_ending', 'UNIQUE on finra_x: UNIQUE (week_ending) expected, UNIQUE (week_ending, tier) found'],
      [
        'changed',
        'foreign_key',
        'finra_x',
        'capture_id',
        'foreign key on finra_x(capture_id): REFERENCES finra_captures(capture_id) ON DELETE NO ACTION ON UPDATE NO ACTION expected, REFERENCES finra_captures(capture_id) ON DELETE CASCADE ON UPDATE NO ACTION found',
      ],
      ['extra', 'check', 'finra_y', 'a > 0', 'CHECK on finra_y: CHECK (a > 0) found, not expected'],
      ['extra', 'check', 'finra_y', 'b > 0', 'CHECK on finra_y: CHECK (b > 0) found, not expected'],
      ['missing', 'check', 'finra_y', 'total_volume >= 0', 'CHECK on finra_y: CHECK (total_volume >= 0) expected, not found'],
    ]);
  });

  it('treats constraints as multisets: order does not matter, a duplicate does', () => {
    const expected = schema((s) => {
      s.tables['finra_x']!.checks = ['a > 0', 'b > 0'];
    });
    expect(diffSchemas(expected, schema((s) => (s.tables['finra_x']!.checks = ['b > 0', 'a > 0'])))).toEqual([]);
    expect(diffSchemas(expected, schema((s) => (s.tables['finra_x']!.checks = ['a > 0', 'a > 0', 'b > 0'])))).toMatchObject([
      { kind: 'extra', objectType: 'check', name: 'a > 0' },
    ]);
  });

  it('refuses to compare snapshots of different dialects', () => {
    expect(() => diffSchemas(schema(), schema((s) => (s.dialect = 'postgres')))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('filterSnapshot', () => {
  it('keeps objects by their own name and type, without touching the input', () => {
    const input = schema((s) => {
      s.tables['_migrations'] = table();
      s.indexes['_scratch_idx'] = { table: 'finra_x', unique: false, columns: ['week_ending'], where: null };
      s.views['_exp_v'] = { sql: 'CREATE VIEW _exp_v AS SELECT 1' };
    });
    const seen: string[] = [];
    const filtered = filterSnapshot(input, (name, type) => {
      seen.push(`${type}:${name}`);
      return !/^(_migrations|sqlite_|_scratch_|_exp_)/.test(name);
    });
    expect(filtered).toEqual(schema());
    expect(seen.sort()).toEqual(['index:_scratch_idx', 'index:idx_x_latest', 'table:_migrations', 'table:finra_x', 'table:finra_y', 'trigger:trg_x', 'view:_exp_v', 'view:finra_x_latest']);
    expect(Object.keys(input.tables)).toContain('_migrations');
  });
});

describe('serializeSnapshot', () => {
  it('writes the same bytes whatever the key order, with arrays in their order', () => {
    const reordered = schema((s) => {
      s.tables = { finra_y: table(), finra_x: table() };
    });
    const text = serializeSnapshot(schema());
    expect(serializeSnapshot(reordered)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"dialect"')).toBeLessThan(text.indexOf('"indexes"'));
    expect(text.indexOf('"finra_x"')).toBeLessThan(text.indexOf('"finra_y"'));
    expect(JSON.parse(text)).toEqual(schema());
  });
});
