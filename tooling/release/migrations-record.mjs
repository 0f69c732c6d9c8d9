/**
 * What each workspace package's `migrations/` folder holds: every file with
 * its sha256, so a release can record the set it shipped and a later check
 * can tell which packages ship migration changes since.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files under `dir`, relative to it, sorted (POSIX separators). */
function listFiles(dir, root = dir) {
  let entries;
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path, root) : [relative(root, path).split('\\').join('/')];
  });
}

/**
 * The workspace packages that ship migrations: `{ name, version, dir, migrations: { "<tier>/<file>": sha256 } }`.
 *
 * @param {string} repoRoot the repository root (holding `packages/`)
 */
export function workspaceMigrations(repoRoot) {
  const packagesDir = join(repoRoot, 'packages');
  return readdirSync(packagesDir)
    .sort()
    .map((folder) => join(packagesDir, folder))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false }))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const migrationsDir = join(dir, 'migrations');
      const migrations = Object.fromEntries(listFiles(migrationsDir).map((file) => [file, createHash('sha256').update(readFileSync(join(migrationsDir, file))).digest('hex')]));
      return { name: manifest.name, version: manifest.version, dir: relative(repoRoot, dir), migrations };
    })
    .filter((pkg) => Object.keys(pkg.migrations).length > 0);
}
