import { describe, expect, it } from 'vitest';
import { migrationChangesetProblems } from './check.mjs';

const pkg = (migrations, version = '0.2.0') => ({ name: '@market-spine/core', version, migrations });
const released = { '@market-spine/core': { version: '0.2.0', migrations: { 'basic/0001_a.sql': 'aaa' } } };

describe('a changed migrations/ folder needs a changeset with at least a minor bump', () => {
  it('passes when nothing changed since the release', () => {
    expect(migrationChangesetProblems([pkg({ 'basic/0001_a.sql': 'aaa' })], released, [])).toEqual([]);
  });

  it('fails for a new or edited migration without a changeset, naming the files', () => {
    const [problem] = migrationChangesetProblems([pkg({ 'basic/0001_a.sql': 'aaa', 'basic/0002_b.sql': 'bbb' })], released, []);
    expect(problem).toContain('@market-spine/core ships migration changes since its 0.2.0 release — basic/0002_b.sql (new)');
    expect(problem).toContain('no changeset releases it');
    expect(migrationChangesetProblems([pkg({ 'basic/0001_a.sql': 'edited' })], released, [])[0]).toContain('basic/0001_a.sql (changed)');
  });

  it('fails for a patch changeset, passes for minor or major', () => {
    const changed = [pkg({ 'basic/0001_a.sql': 'aaa', 'basic/0002_b.sql': 'bbb' })];
    const patch = [{ id: 'tidy-fox', releases: [{ name: '@market-spine/core', type: 'patch' }] }];
    expect(migrationChangesetProblems(changed, released, patch)[0]).toContain('changeset tidy-fox gives it only a patch bump');
    for (const type of ['minor', 'major']) {
      expect(migrationChangesetProblems(changed, released, [...patch, { id: 'big-owl', releases: [{ name: '@market-spine/core', type }] }])).toEqual([]);
    }
  });

  it('treats a package never recorded as all new, and a version bumped without recording as an error', () => {
    expect(migrationChangesetProblems([{ ...pkg({ 'basic/0001_a.sql': 'aaa' }), name: '@market-spine/new' }], released, [])[0]).toContain('since it was first recorded');
    expect(migrationChangesetProblems([pkg({ 'basic/0001_a.sql': 'aaa' }, '0.3.0')], released, [])[0]).toContain('run `pnpm version-packages`');
  });
});
