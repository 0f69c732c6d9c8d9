import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpineConfigSchema, backupDirectory, configuredFeatures, loadConfig, resolveDatabaseTarget } from './config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'spine-config-'));

describe('spine.config.yaml', () => {
  it('uses defaults when there is no config file', () => {
    expect(loadConfig(undefined, dir())).toEqual({
      config: {
        database: {
          tier: 'basic',
          schema: { auto_migrate: false },
          backup: { retention_days: 30, max_backups: 10 },
          migration: { require_confirmation: false, create_backup: true, verify_after: true, lock_timeout_seconds: 60 },
        },
      },
      file: null,
    });
  });

  it("accepts seed 004's config/database.yaml as written, with its feature flag", () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, 'database.yaml'),
      [
        'database:',
        '  path: "data/state.db"',
        '  schema:',
        '    current_version: 2',
        '    auto_migrate: true',
        '  track_unrealized_pnl: false',
        '  backup:',
        '    directory: "data/backups"',
        '    retention_days: 30',
        '    max_backups: 10',
        '  migration:',
        '    require_confirmation: true',
        '    create_backup: true',
        '    verify_after: true',
      ].join('\n'),
    );
    const { config } = loadConfig('database.yaml', cwd);
    expect(config.database.schema).toEqual({ current_version: 2, auto_migrate: true });
    expect(configuredFeatures(config)).toEqual({ track_unrealized_pnl: false });
    expect(backupDirectory(config, join(cwd, 'data/state.db'))).toBe(join(cwd, 'data/backups'));
    expect(config.database.migration).toEqual({ require_confirmation: true, create_backup: true, verify_after: true, lock_timeout_seconds: 60 });
  });

  it('reads ./spine.config.yaml and resolves the path relative to it', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'spine.config.yaml'), 'database:\n  path: data/spine.db\n  tier: intermediate\n');
    const { config, file } = loadConfig(undefined, cwd);
    expect(file).toBe(join(cwd, 'spine.config.yaml'));
    expect(config.database).toMatchObject({ path: join(cwd, 'data/spine.db'), tier: 'intermediate' });
    expect(backupDirectory(config, config.database.path as string)).toBe(join(cwd, 'data/backups'));
  });

  it.each([
    ['database:\n  tier: expert\n', 'database.tier'],
    ['database:\n  pth: x.db\n', 'database.pth'],
    ['database:\n  backup:\n    retention_days: -3\n', 'database.backup.retention_days'],
    ['database:\n  migration:\n    verify_afterr: true\n', 'database.migration'],
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
    const config = SpineConfigSchema.parse({ database: { path: '/cfg.db' } });
    expect(resolveDatabaseTarget({ db: '/flag.db', env: { SPINE_DB: '/env.db' }, config })).toBe('/flag.db');
    expect(resolveDatabaseTarget({ env: { SPINE_DB: '/env.db' }, config })).toBe('/env.db');
    expect(resolveDatabaseTarget({ env: {}, config })).toBe('/cfg.db');
    expect(resolveDatabaseTarget({ env: {}, config: SpineConfigSchema.parse({}) })).toBe('./spine.db');
  });
});
