import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveDatabaseTarget } from './config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'spine-config-'));

describe('spine.config.yaml', () => {
  it('uses defaults when there is no config file', () => {
    expect(loadConfig(undefined, dir())).toEqual({ config: { database: { tier: 'basic' } }, file: null });
  });

  it('reads ./spine.config.yaml and resolves the path relative to it', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'spine.config.yaml'), 'database:\n  path: data/spine.db\n  tier: intermediate\n');
    const { config, file } = loadConfig(undefined, cwd);
    expect(file).toBe(join(cwd, 'spine.config.yaml'));
    expect(config.database).toEqual({ path: join(cwd, 'data/spine.db'), tier: 'intermediate' });
  });

  it.each([
    ['database:\n  tier: expert\n', 'database.tier'],
    ['database:\n  pth: x.db\n', 'database'],
    ['databse:\n  path: x.db\n', '(top level)'],
    ['database: [1, 2\n', 'not valid YAML'],
  ])('names the key at fault: %j', (yaml, key) => {
    const cwd = dir();
    writeFileSync(join(cwd, 'bad.yaml'), yaml);
    expect(() => loadConfig('bad.yaml', cwd)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(key) }));
  });

  it('refuses a --config file that does not exist', () => {
    expect(() => loadConfig('missing.yaml', dir())).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('does not exist') }));
  });

  it('picks the database: --db, then SPINE_DB, then the config, then ./spine.db', () => {
    const config = { database: { tier: 'basic' as const, path: '/cfg.db' } };
    expect(resolveDatabaseTarget({ db: '/flag.db', env: { SPINE_DB: '/env.db' }, config })).toBe('/flag.db');
    expect(resolveDatabaseTarget({ env: { SPINE_DB: '/env.db' }, config })).toBe('/env.db');
    expect(resolveDatabaseTarget({ env: {}, config })).toBe('/cfg.db');
    expect(resolveDatabaseTarget({ env: {}, config: { database: { tier: 'basic' } } })).toBe('./spine.db');
  });
});
