#!/usr/bin/env node
/**
 * CI check (run first by `pnpm test`): a package whose `migrations/` changed
 * since its last release needs a pending changeset with at least a minor
 * bump. Exit 0 when all is well, 1 with one line per problem otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import readChangesets from '@changesets/read';
import { migrationChangesetProblems } from './check.mjs';
import { workspaceMigrations } from './migrations-record.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const recordPath = new URL('./released-migrations.json', import.meta.url);
const released = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, 'utf8')).packages : {};
const changesets = await (readChangesets.default ?? readChangesets)(repoRoot);
const problems = migrationChangesetProblems(workspaceMigrations(repoRoot), released, changesets);
if (problems.length > 0) {
  for (const problem of problems) console.error(`✗ ${problem}`);
  process.exit(1);
}
console.log(`✓ migrations and changesets agree (${changesets.length} pending changeset(s))`);
