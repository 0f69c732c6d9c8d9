#!/usr/bin/env node
/**
 * After `changeset version` (`pnpm version-packages` runs both): records what
 * each package's migrations folder holds at its new version, the baseline of
 * the next migration check.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workspaceMigrations } from './migrations-record.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const packages = Object.fromEntries(workspaceMigrations(repoRoot).map((pkg) => [pkg.name, { version: pkg.version, migrations: pkg.migrations }]));
writeFileSync(new URL('./released-migrations.json', import.meta.url), `${JSON.stringify({ packages }, null, 2)}\n`);
console.log(`recorded the migrations of ${Object.keys(packages).length} package(s): ${Object.entries(packages).map(([name, p]) => `${name}@${p.version}`).join(', ')}`);
