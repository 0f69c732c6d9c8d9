import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MigrationSource } from '../migrations/source.js';

/** A temporary directory for one test. */
export function tempDir(prefix = 'spine-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a migration source with the given files (`<tier>/<file>` → SQL) in a
 * temporary directory.
 */
export function fixtureSource(
  name: string,
  files: Record<string, string>,
  options: { dependsOn?: string[]; version?: string; root?: string } = {},
): MigrationSource {
  const directory = join(options.root ?? tempDir(), name, 'migrations');
  mkdirSync(directory, { recursive: true });
  for (const [relative, content] of Object.entries(files)) {
    const path = join(directory, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return {
    packageName: `@fixture/${name}`,
    name,
    version: options.version ?? '1.0.0',
    directory,
    dependsOn: options.dependsOn ?? [],
  };
}
