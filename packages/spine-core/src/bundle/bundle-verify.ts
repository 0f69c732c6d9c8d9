import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage, isSpineError } from '../errors.js';
import { discoverMigrations, loadMigration } from '../migrations/discovery.js';
import type { MigrationSource } from '../migrations/source.js';
import { checkOutcome } from '../migrations/verify.js';
import { renderBundle, bundleSpecFromManifest } from './bundle-build.js';
import {
  BUNDLE_DIALECTS,
  BUNDLE_MANIFEST_FILE,
  BUNDLE_SQL_FILES,
  bundleChecksum,
  bundleMigrationIds,
  findBundleFolders,
  readBundleManifest,
  sha256Hex,
} from './bundle-manifest.js';
import type { BundleManifest } from './bundle-manifest.js';

/** One check of {@link verifyBundle}. */
export interface BundleVerifyCheck {
  /**
   * `manifest`: manifest.json is a valid manifest named like its folder;
   * `files`: each SQL file has the sha256 the manifest records;
   * `checksum`: the bundle checksum matches the manifest;
   * `sources`: each migration exists in the packages with the recorded package, tier and per-dialect checksum;
   * `previous`: the recorded requirement is the previous bundle's migrations, and no earlier bundle holds one of these;
   * `rebuild`: the files rendered again from the packages' sources are byte for byte the files on disk.
   */
  readonly name: 'manifest' | 'files' | 'checksum' | 'sources' | 'previous' | 'rebuild';
  /** `skipped` when the check could not run (a check before it failed, or the previous bundle's folder is not beside this one). */
  readonly status: 'ok' | 'failed' | 'skipped';
  /** A sentence for people. */
  readonly detail: string;
  /** The problems found, one per line, each naming the file, migration or field. */
  readonly problems: readonly string[];
}

/** Outcome of {@link verifyBundle}: `ok` when no check failed. */
export interface BundleVerifyResult {
  readonly status: 'ok' | 'failed';
  readonly directory: string;
  /** The bundle's id, null when the manifest could not be read. */
  readonly bundle: string | null;
  readonly checks: readonly BundleVerifyCheck[];
}

const check = (name: BundleVerifyCheck['name'], problems: readonly string[], ok: string, failed: string): BundleVerifyCheck => checkOutcome(name, problems, ok, failed);

const skipped = (name: BundleVerifyCheck['name'], detail: string): BundleVerifyCheck => ({ name, status: 'skipped', detail, problems: [] });

function result(directory: string, bundle: string | null, checks: readonly BundleVerifyCheck[]): BundleVerifyResult {
  return { status: checks.some((c) => c.status === 'failed') ? 'failed' : 'ok', directory, bundle, checks };
}

/** The first line where two texts differ (1-based), for a message. */
function firstDifferentLine(expected: string, actual: string): number {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line += 1;
  return line + 1;
}

function checkFiles(directory: string, manifest: BundleManifest): string[] {
  const problems: string[] = [];
  for (const dialect of BUNDLE_DIALECTS) {
    const name = BUNDLE_SQL_FILES[dialect];
    const path = join(directory, name);
    if (!existsSync(path)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const actual = sha256Hex(readFileSync(path));
    if (actual !== manifest.files[name]) problems.push(`${name}: sha256 ${actual.slice(0, 12)}… differs from the manifest's ${manifest.files[name].slice(0, 12)}…`);
  }
  return problems;
}

function checkSources(manifest: BundleManifest, sources: readonly MigrationSource[]): string[] {
  const definitions = new Map(discoverMigrations(sources).map((d) => [d.id, d]));
  const problems: string[] = [];
  for (const m of manifest.migrations) {
    const definition = definitions.get(m.id);
    if (!definition) {
      problems.push(`${m.id}: not in the packages' migrations`);
      continue;
    }
    if (definition.source.packageName !== m.package) problems.push(`${m.id}: package ${m.package} in the manifest, ${definition.source.packageName} in the sources`);
    if (definition.tier !== m.tier) problems.push(`${m.id}: tier ${m.tier} in the manifest, ${definition.tier} in the sources`);
    for (const dialect of BUNDLE_DIALECTS) {
      const actual = loadMigration(definition, dialect)?.checksum ?? null;
      const recorded = m.checksums[dialect];
      if (actual !== recorded) problems.push(`${m.id}: ${dialect} checksum ${recorded?.slice(0, 12) ?? 'none'}… in the manifest, ${actual?.slice(0, 12) ?? 'no script'}… in ${m.package}`);
    }
  }
  return problems;
}

/** The previous bundle's folder beside this one, compared with what this manifest requires. */
function checkPrevious(directory: string, manifest: BundleManifest): BundleVerifyCheck {
  const siblings = findBundleFolders(dirname(directory)).filter((f) => f.id < manifest.bundle);
  const problems: string[] = [];
  const own = new Set(manifest.migrations.map((m) => m.id));
  const manifests = new Map<string, BundleManifest>();
  for (const sibling of siblings) {
    try {
      manifests.set(sibling.id, readBundleManifest(sibling.directory));
    } catch (error) {
      if (!isSpineError(error)) throw error;
      problems.push(`earlier bundle ${sibling.id}: ${error.message}`);
    }
  }
  for (const earlier of manifests.values()) {
    for (const m of earlier.migrations) if (own.has(m.id)) problems.push(`${m.id}: also in the earlier bundle ${earlier.bundle}`);
  }
  const previous = siblings.at(-1);
  if (manifest.previous_bundle === null) {
    if (previous) problems.push(`previous_bundle: null, but bundle ${previous.id} precedes it`);
    return check('previous', problems, 'the first bundle: it requires nothing', 'the bundle does not follow the bundles before it');
  }
  if (!previous) return skipped('previous', `bundle ${manifest.previous_bundle}'s folder is not beside this one; its migrations are taken from this manifest's "requires"`);
  if (previous.id !== manifest.previous_bundle) problems.push(`previous_bundle: ${manifest.previous_bundle} in the manifest, but the bundle before it is ${previous.id}`);
  const earlier = manifests.get(previous.id);
  if (previous.id === manifest.previous_bundle && earlier) {
    for (const dialect of BUNDLE_DIALECTS) {
      const expected = bundleMigrationIds(earlier, dialect);
      const recorded = manifest.requires[dialect];
      if (expected.join('\n') !== recorded.join('\n')) problems.push(`requires.${dialect}: ${recorded.length} migration(s) in the manifest, bundle ${previous.id} has ${expected.length} for ${dialect}`);
    }
  }
  return check('previous', problems, `requires exactly the migrations of bundle ${manifest.previous_bundle}`, 'the bundle does not follow the bundles before it');
}

/**
 * `spine bundle verify`: checks a bundle folder against itself and against
 * the packages' migrations — the manifest, each file's sha256, the bundle
 * checksum, each migration's per-dialect checksum against the script in its
 * package, the requirement on the previous bundle (when its folder is beside
 * this one), and a rebuild: the files rendered again from the sources with
 * the manifest's ids, created_at, tier and versions must be byte for byte the
 * files on disk. Never throws for a bad bundle: every problem is in the result.
 *
 * @param directory the bundle folder (`migrations/<yyyy>_q<n>`)
 * @param sources the packages' migration sources
 */
export async function verifyBundle(directory: string, sources: readonly MigrationSource[]): Promise<BundleVerifyResult> {
  let manifest: BundleManifest;
  try {
    manifest = readBundleManifest(directory);
  } catch (error) {
    if (!isSpineError(error)) throw error;
    return result(directory, null, [check('manifest', [error.message], '', `${BUNDLE_MANIFEST_FILE} is not a valid bundle manifest`)]);
  }
  const checks: BundleVerifyCheck[] = [];
  const folder = basename(directory);
  checks.push(
    check('manifest', folder === manifest.bundle ? [] : [`bundle: ${manifest.bundle} in the manifest, but the folder is ${folder}`], `${BUNDLE_MANIFEST_FILE} is a valid manifest of bundle ${manifest.bundle}`, 'the manifest does not name its folder'),
    check('files', checkFiles(directory, manifest), 'each SQL file has the sha256 the manifest records', 'SQL files differ from the manifest'),
  );
  const checksum = bundleChecksum(manifest);
  checks.push(check('checksum', checksum === manifest.checksum ? [] : [`checksum: ${manifest.checksum.slice(0, 12)}… in the manifest, ${checksum.slice(0, 12)}… computed`], 'the bundle checksum matches', 'the bundle checksum differs'));
  const sourceProblems = checkSources(manifest, sources);
  checks.push(check('sources', sourceProblems, `each of the ${manifest.migrations.length} migration(s) matches its package's script`, "migrations differ from the packages' scripts"));
  checks.push(checkPrevious(directory, manifest));
  if (sourceProblems.length > 0) {
    checks.push(skipped('rebuild', 'not rebuilt: the sources differ from the manifest'));
    return result(directory, manifest.bundle, checks);
  }
  let rebuilt;
  try {
    rebuilt = await renderBundle(sources, bundleSpecFromManifest(manifest));
  } catch (error) {
    if (!isSpineError(error)) throw error;
    checks.push(check('rebuild', [errorMessage(error)], '', 'the bundle cannot be rebuilt from the sources'));
    return result(directory, manifest.bundle, checks);
  }
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(rebuilt.files)) {
    const path = join(directory, name);
    if (!existsSync(path)) continue; // reported by the files check (or the manifest check)
    const actual = readFileSync(path, 'utf8');
    if (actual !== expected) problems.push(`${name}: differs from the rebuild from the sources from line ${firstDifferentLine(expected, actual)}`);
  }
  checks.push(check('rebuild', problems, 'rebuilding from the sources gives the same bytes', 'the files differ from a rebuild from the sources'));
  return result(directory, manifest.bundle, checks);
}
