import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureSource } from '../test-support/migration-fixtures.js';
import { scriptChecksum } from './checksum.js';
import { discoverMigrations, loadMigration, parseDirectives } from './discovery.js';
import { orderSources } from './source.js';

describe('migration discovery', () => {
  it('picks the dialect variant over the portable script, and finds down scripts', () => {
    const source = fixtureSource('v', {
      'basic/0001_t.sql': 'CREATE TABLE t (flag INTEGER);',
      'basic/0001_t.postgres.sql': 'CREATE TABLE t (flag BOOLEAN);',
      'basic/0001_t.down.sql': 'DROP TABLE t;',
      'basic/README.md': 'not a migration',
    });
    const [definition] = discoverMigrations([source]);
    expect(definition?.id).toBe('v/basic/0001_t');
    expect(loadMigration(definition!, 'sqlite')?.script).toContain('INTEGER');
    expect(loadMigration(definition!, 'postgres')?.script).toContain('BOOLEAN');
    expect(loadMigration(definition!, 'sqlite')?.downChecksum).toBe(scriptChecksum('DROP TABLE t;'));
  });

  it.each([
    [{ 'basic/001_short.sql': 'SELECT 1;' }, /Bad migration file name .*001_short\.sql/],
    [{ 'basic/0001_Upper.sql': 'SELECT 1;' }, /Bad migration file name/],
    [{ 'basic/0001_a.sqlite3.sql': 'SELECT 1;' }, /Bad migration file name/],
    [{ 'expert/0001_a.sql': 'SELECT 1;' }, /Unknown tier folder .*expert/],
    [{ 'basic/0001_a.sql': 'SELECT 1;', 'basic/0001_b.sql': 'SELECT 1;' }, /number 0001 is used twice/],
    [{ 'basic/0002_lonely.down.sql': 'SELECT 1;' }, /has no up script/],
  ])('refuses %j with an error naming the file', (files, message) => {
    expect(() => discoverMigrations([fixtureSource('b', files)])).toThrow(expect.objectContaining({ code: 'MIGRATION_BAD_FILE', message: expect.stringMatching(message) }));
  });

  it('refuses unknown directives, and reads the known ones', () => {
    expect(parseDirectives('-- spine:no-transaction\n-- spine:requires a/basic/0001_x, b/basic/0002_y\n-- plain comment\nSELECT 1;\n-- spine:typo after the header is ignored', 'f.sql')).toEqual({
      noTransaction: true,
      requires: ['a/basic/0001_x', 'b/basic/0002_y'],
      description: undefined,
      features: [],
      rebuild: null,
    });
    expect(parseDirectives('-- spine:feature track_unrealized_pnl\n-- spine:rebuild orders\nCREATE TABLE orders (id INTEGER);', 'g.sql')).toMatchObject({
      features: ['track_unrealized_pnl'],
      rebuild: 'orders',
    });
    expect(() => parseDirectives('-- spine:rebuild orders\n-- spine:no-transaction\nSELECT 1;', 'h.sql')).toThrow(/combines -- spine:rebuild with -- spine:no-transaction/);
    expect(() => parseDirectives('-- spine:feature Bad-Name\nSELECT 1;', 'i.sql')).toThrow(/Unknown or incomplete directive/);
    expect(() => parseDirectives('-- spine:no-transacton\nSELECT 1;', 'f.sql')).toThrow(expect.objectContaining({ code: 'MIGRATION_BAD_FILE', message: expect.stringContaining('f.sql') }));
  });

  it('orders sources by dependency and refuses cycles and unknown dependencies', () => {
    const a = fixtureSource('a', {}, { dependsOn: ['b'] });
    const b = fixtureSource('b', {});
    expect(orderSources([a, b]).map((s) => s.name)).toEqual(['b', 'a']);
    expect(() => orderSources([a])).toThrow(/depends on b, which is not registered/);
    const c = fixtureSource('c', {}, { dependsOn: ['d'] });
    const d = fixtureSource('d', {}, { dependsOn: ['c'] });
    expect(() => orderSources([c, d])).toThrow(/cycle: c -> d -> c/);
  });

  it('changes the checksum on content edits only', () => {
    const source = fixtureSource('k', { 'basic/0001_t.sql': 'CREATE TABLE t (id INTEGER);\n' });
    const path = join(source.directory, 'basic/0001_t.sql');
    const [definition] = discoverMigrations([source]);
    const original = loadMigration(definition!, 'sqlite')?.checksum;
    writeFileSync(path, '\uFEFFCREATE TABLE t (id INTEGER);\t\r\n\r\n');
    expect(loadMigration(definition!, 'sqlite')?.checksum).toBe(original);
    writeFileSync(path, 'CREATE TABLE t (id  INTEGER);\n');
    expect(loadMigration(definition!, 'sqlite')?.checksum).not.toBe(original);
  });
});
