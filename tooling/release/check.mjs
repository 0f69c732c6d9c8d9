/**
 * The release rule for migrations: a package that ships a new or changed
 * migration file since its last release needs a pending changeset giving it
 * at least a minor bump (a patch release must never change a schema).
 *
 * The last release of each package is recorded in `released-migrations.json`
 * (written by `pnpm version-packages` after `changeset version`), so the check
 * needs no git history or tags.
 */

const BUMP_RANK = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * Problems with the pending changesets, one sentence each (empty when all is well).
 *
 * @param {{ name: string, version: string, migrations: Record<string, string> }[]} packages the packages as they are now
 * @param {Record<string, { version: string, migrations: Record<string, string> }>} released what each package shipped at its last release
 * @param {{ id: string, releases: { name: string, type: string }[] }[]} changesets the pending changesets (`@changesets/read`)
 * @returns {string[]}
 */
export function migrationChangesetProblems(packages, released, changesets) {
  const problems = [];
  for (const pkg of packages) {
    const record = released[pkg.name];
    if (record && record.version !== pkg.version) {
      problems.push(`${pkg.name} is at ${pkg.version} but released-migrations.json records ${record.version}: run \`pnpm version-packages\` (not \`changeset version\` alone) so the release records its migrations.`);
      continue;
    }
    const before = record?.migrations ?? {};
    const changed = Object.keys(pkg.migrations).filter((file) => before[file] !== pkg.migrations[file]);
    const removed = Object.keys(before).filter((file) => !(file in pkg.migrations));
    if (changed.length === 0 && removed.length === 0) continue;
    const bump = changesets
      .flatMap((c) => c.releases.filter((r) => r.name === pkg.name).map((r) => ({ id: c.id, type: r.type })))
      .reduce((best, r) => (BUMP_RANK[r.type] > BUMP_RANK[best.type] ? r : best), { id: null, type: 'none' });
    if (BUMP_RANK[bump.type] >= BUMP_RANK.minor) continue;
    const files = [...changed.map((f) => `${f} (${f in before ? 'changed' : 'new'})`), ...removed.map((f) => `${f} (removed)`)];
    problems.push(
      `${pkg.name} ships migration changes since ${record ? `its ${record.version} release` : 'it was first recorded'} — ${files.slice(0, 5).join(', ')}${files.length > 5 ? `, … (${files.length} files)` : ''} — ` +
        (bump.type === 'none' ? 'but no changeset releases it' : `but changeset ${bump.id} gives it only a ${bump.type} bump`) +
        ': add one with `pnpm changeset` (minor or major).',
    );
  }
  return problems;
}
