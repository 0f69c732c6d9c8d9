import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DialectName } from '../dialect/types.js';
import { ErrorCode, SpineError } from '../errors.js';
import { nowIso } from '../ids.js';
import type { MigrationSource } from '../migrations/source.js';
import { orderSources } from '../migrations/source.js';
import { parseMigrationId } from '../migrations/status.js';
import type { Tier } from '../migrations/tiers.js';
import { collectBundleCandidates } from './bundle-collect.js';
import type { BundleCandidate } from './bundle-collect.js';
import {
  BUNDLE_DIALECTS,
  BUNDLE_FORMAT,
  BUNDLE_MANIFEST_FILE,
  BUNDLE_SQL_FILES,
  bundleChecksum,
  bundleMigrationIds,
  findBundleFolders,
  parseBundleId,
  readBundleManifest,
  serializeManifest,
  sha256Hex,
} from './bundle-manifest.js';
import type { BundleId, BundleManifest, BundleSqlFile } from './bundle-manifest.js';
import { renderBundleScript } from './bundle-sql.js';

/** A package a bundle is built from, as its manifest lists it. */
export interface BundlePackage {
  /** npm package name. */
  readonly package: string;
  /** Short name, the first segment of its migration ids. */
  readonly source: string;
  /** The version the bundle records (`_migrations.package_version`). */
  readonly version: string;
}

/** Everything a bundle's files are made from: with the same spec and sources, {@link renderBundle} gives the same bytes. */
export interface BundleSpec {
  readonly bundle: BundleId;
  /** ISO-8601 UTC instant of the build. */
  readonly createdAt: string;
  /** Highest tier collected. */
  readonly tier: Tier;
  /** Which database the bundle is for (the manifest's note). */
  readonly note: string;
  /** The previous bundle and its migrations per dialect (what a database must have), or null for the first bundle. */
  readonly previous: { readonly bundle: string; readonly requires: Readonly<Record<DialectName, readonly string[]>> } | null;
  /** The bundle's migration ids (applied in the sources' apply order, whatever the order here). */
  readonly migrationIds: readonly string[];
  /** The packages with the versions to record. */
  readonly packages: readonly BundlePackage[];
}

/** The files of a bundle folder, by name, and its manifest. */
export interface RenderedBundle {
  readonly manifest: BundleManifest;
  /** `manifest.json`, `sqlite.sql`, `postgres.sql`, `db2.sql` → their text (UTF-8). */
  readonly files: Readonly<Record<typeof BUNDLE_MANIFEST_FILE | BundleSqlFile, string>>;
}

function refused(message: string, hint: string): SpineError {
  return new SpineError(ErrorCode.BUNDLE_BUILD_REFUSED, message, { hint });
}

/**
 * Renders a bundle's files from the packages' migration files: one SQL file
 * per dialect (see `renderBundleScript`) and the manifest, whose checksums are
 * those the engine records (`_migrations.checksum`) and whose own checksum
 * covers the rest (see `bundleChecksum`). Writes nothing.
 *
 * @param sources the packages' migration sources (must include every package of `spec.packages`)
 * @throws SpineError `BUNDLE_INVALID` when a migration of the spec is not among the sources' migrations of its tier
 *   (or is optional-feature); what `collectBundleCandidates` and the statement splitters throw
 */
export async function renderBundle(sources: readonly MigrationSource[], spec: BundleSpec): Promise<RenderedBundle> {
  const candidates = collectBundleCandidates(sources, spec.tier);
  const wanted = new Set(spec.migrationIds);
  const chosen = candidates.filter((c) => wanted.has(c.definition.id));
  if (chosen.length !== wanted.size) {
    const found = new Set(chosen.map((c) => c.definition.id));
    const absent = spec.migrationIds.filter((id) => !found.has(id));
    throw new SpineError(ErrorCode.BUNDLE_INVALID, `Bundle ${spec.bundle.id} lists migration(s) the packages do not have at tier ${spec.tier}: ${absent.join(', ')}.`, {
      hint: 'Install the package versions the bundle was built from (manifest.json "packages"), or rebuild the bundle.',
    });
  }
  const versions = new Map(spec.packages.map((p) => [p.package, p.version]));
  const versionOf = (c: BundleCandidate): string => {
    const version = versions.get(c.definition.source.packageName);
    if (version === undefined) {
      throw new SpineError(ErrorCode.BUNDLE_INVALID, `Bundle ${spec.bundle.id} holds ${c.definition.id} of ${c.definition.source.packageName}, which its packages do not list.`, {
        hint: 'Rebuild the bundle with `spine bundle build --force`.',
      });
    }
    return version;
  };
  const migrations = chosen.map((c) => ({
    id: c.definition.id,
    package: c.definition.source.packageName,
    package_version: versionOf(c),
    tier: c.definition.tier,
    checksums: { sqlite: c.scripts.sqlite?.checksum ?? null, postgres: c.scripts.postgres?.checksum ?? null, db2: c.scripts.db2?.checksum ?? null },
  }));
  const sql = {} as Record<BundleSqlFile, string>;
  for (const dialect of BUNDLE_DIALECTS) {
    sql[BUNDLE_SQL_FILES[dialect]] = await renderBundleScript(dialect, {
      bundle: spec.bundle,
      createdAt: spec.createdAt,
      tier: spec.tier,
      note: spec.note,
      packages: spec.packages,
      previous: spec.previous === null ? null : { bundle: spec.previous.bundle, ids: spec.previous.requires[dialect] },
      migrations: chosen.flatMap((c) => c.scripts[dialect] ?? []),
    });
  }
  const files = { 'sqlite.sql': sha256Hex(sql['sqlite.sql']), 'postgres.sql': sha256Hex(sql['postgres.sql']), 'db2.sql': sha256Hex(sql['db2.sql']) };
  const base = {
    format: BUNDLE_FORMAT,
    bundle: spec.bundle.id,
    quarter: spec.bundle.label,
    created_at: spec.createdAt,
    tier: spec.tier,
    previous_bundle: spec.previous?.bundle ?? null,
    requires: {
      sqlite: [...(spec.previous?.requires.sqlite ?? [])],
      postgres: [...(spec.previous?.requires.postgres ?? [])],
      db2: [...(spec.previous?.requires.db2 ?? [])],
    },
    packages: spec.packages.map((p) => ({ package: p.package, source: p.source, version: p.version })),
    note: spec.note,
    migrations,
    files,
  };
  const manifest: BundleManifest = { ...base, checksum: bundleChecksum(base) };
  return { manifest, files: { [BUNDLE_MANIFEST_FILE]: serializeManifest(manifest), ...sql } };
}

/** The spec a bundle was built from, as its manifest records it: rendering it again gives the same files. */
export function bundleSpecFromManifest(manifest: BundleManifest): BundleSpec {
  return {
    bundle: parseBundleId(manifest.bundle),
    createdAt: manifest.created_at,
    tier: manifest.tier,
    note: manifest.note,
    previous: manifest.previous_bundle === null ? null : { bundle: manifest.previous_bundle, requires: manifest.requires },
    migrationIds: manifest.migrations.map((m) => m.id),
    packages: manifest.packages,
  };
}

/** What {@link buildBundle} builds. */
export interface BundleBuildOptions {
  /** The packages of the database the bundle is for, in any order. */
  readonly sources: readonly MigrationSource[];
  /** The folder that holds the bundle folders (`migrations/` at the repository root). */
  readonly bundlesDirectory: string;
  /** The quarter: `2026-Q4`, `2026_q4` or `2026Q4`. */
  readonly quarter: string;
  /** Highest tier to collect. */
  readonly tier: Tier;
  /** Which database the bundle is for, and what it leaves out (the manifest's note). */
  readonly note: string;
  /** ISO-8601 UTC instant to record; default now. */
  readonly createdAt?: string;
  /** Replace the quarter's folder when it exists (the migrations are collected again). Default false. */
  readonly force?: boolean;
}

/**
 * Works out a new bundle: the migrations of `tier` (optional-feature ones
 * never) that no earlier bundle in `bundlesDirectory` holds, in apply order,
 * and the previous bundle's migrations as its requirement.
 *
 * @throws SpineError `INVALID_ARGUMENT` for a bad quarter or `createdAt`; `BUNDLE_BUILD_REFUSED` when the
 *   quarter's folder exists (without `force`), a newer bundle exists, no migration is new, a new migration
 *   is numbered below a bundled one of its package and tier, or a `-- spine:requires` is neither bundled
 *   earlier nor earlier in this bundle; `BUNDLE_INVALID` for an unreadable earlier manifest
 */
export function planBundle(options: BundleBuildOptions): BundleSpec {
  const bundle = parseBundleId(options.quarter);
  const createdAt = options.createdAt ?? nowIso();
  if (!z.iso.datetime().safeParse(createdAt).success) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--created-at ${JSON.stringify(createdAt)} is not an ISO-8601 UTC instant.`, { hint: 'Write it like 2026-12-15T09:00:00.000Z.' });
  }
  const folder = join(options.bundlesDirectory, bundle.id);
  if (existsSync(folder) && !options.force) {
    throw refused(`Bundle ${bundle.id} already exists: ${folder}.`, `Rebuild it with --force (its migrations are collected again), or build the next quarter.`);
  }
  const folders = findBundleFolders(options.bundlesDirectory);
  const newer = folders.filter((f) => f.id > bundle.id).map((f) => f.id);
  if (newer.length > 0) {
    throw refused(`Bundle(s) ${newer.join(', ')} are newer than ${bundle.id}; bundles are built in quarter order.`, `Build a quarter after ${newer.at(-1) ?? bundle.id}.`);
  }
  const earlier = folders.filter((f) => f.id < bundle.id).map((f) => readBundleManifest(f.directory));
  const bundled = new Map(earlier.flatMap((m) => m.migrations.map((migration) => [migration.id, m.bundle] as const)));
  const candidates = collectBundleCandidates(options.sources, options.tier);
  const fresh = candidates.filter((c) => !bundled.has(c.definition.id));
  const previous = earlier.at(-1) ?? null;
  if (fresh.length === 0) {
    throw refused(
      `No migration is new since ${previous ? `bundle ${previous.bundle}` : 'the start'} at tier ${options.tier}: nothing to bundle.`,
      'Add migrations to the packages first, or pass a higher --tier.',
    );
  }
  const highest = new Map<string, { number: number; id: string }>();
  for (const id of bundled.keys()) {
    const parts = parseMigrationId(id);
    if (!parts) continue;
    const key = `${parts.source}/${parts.tier}`;
    if ((highest.get(key)?.number ?? -1) < parts.number) highest.set(key, { number: parts.number, id });
  }
  const available = new Set(bundled.keys());
  for (const c of fresh) {
    const top = highest.get(`${c.definition.source.name}/${c.definition.tier}`);
    if (top && c.definition.number < top.number) {
      throw refused(
        `Migration ${c.definition.id} is numbered below ${top.id}, which bundle ${bundled.get(top.id)} already holds.`,
        'Renumber it after the bundled migrations of its package and tier (databases that have the earlier bundle would apply it out of order).',
      );
    }
    for (const script of Object.values(c.scripts)) {
      const unmet = script.directives.requires.filter((required) => !available.has(required));
      if (unmet.length > 0) {
        throw refused(`Migration ${c.definition.id} requires ${unmet.join(', ')}, which is neither in an earlier bundle nor before it in this one.`, 'Fix its -- spine:requires header, or raise --tier so the required migration is collected.');
      }
    }
    available.add(c.definition.id);
  }
  return {
    bundle,
    createdAt,
    tier: options.tier,
    note: options.note,
    previous: previous === null ? null : { bundle: previous.bundle, requires: Object.fromEntries(BUNDLE_DIALECTS.map((d) => [d, bundleMigrationIds(previous, d)])) as Record<DialectName, string[]> },
    migrationIds: fresh.map((c) => c.definition.id),
    packages: orderSources(options.sources).map((s) => ({ package: s.packageName, source: s.name, version: s.version })),
  };
}

/** What {@link buildBundle} wrote. */
export interface BuiltBundle {
  /** The bundle folder. */
  readonly directory: string;
  readonly manifest: BundleManifest;
  /** True when an existing folder was replaced (`force`). */
  readonly replaced: boolean;
}

/**
 * `spine bundle build`: plans the bundle ({@link planBundle}), renders its
 * files ({@link renderBundle}) and writes them to `<bundlesDirectory>/<yyyy>_q<n>/`
 * through a temporary folder, so a failed build leaves no half-written bundle.
 *
 * @throws SpineError what {@link planBundle} and {@link renderBundle} throw
 */
export async function buildBundle(options: BundleBuildOptions): Promise<BuiltBundle> {
  const spec = planBundle(options);
  const rendered = await renderBundle(options.sources, spec);
  const directory = join(options.bundlesDirectory, spec.bundle.id);
  const staging = join(options.bundlesDirectory, `.${spec.bundle.id}.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const [name, text] of Object.entries(rendered.files)) writeFileSync(join(staging, name), text);
    const replaced = existsSync(directory);
    if (replaced) rmSync(directory, { recursive: true });
    renameSync(staging, directory);
    return { directory, manifest: rendered.manifest, replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
