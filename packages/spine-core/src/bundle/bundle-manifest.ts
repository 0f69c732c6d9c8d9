import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DialectName } from '../dialect/types.js';
import { ErrorCode, SpineError, errorMessage } from '../errors.js';
import { TIERS } from '../migrations/tiers.js';

/** The `format` of a bundle manifest this build writes and reads. */
export const BUNDLE_FORMAT = 'market-spine-bundle/1' as const;

/** The manifest's file name in a bundle folder. */
export const BUNDLE_MANIFEST_FILE = 'manifest.json';

/** The dialects a bundle has a SQL file for, in the order of the checksum definition. */
export const BUNDLE_DIALECTS: readonly DialectName[] = Object.freeze(['sqlite', 'postgres', 'db2'] as const);

/** The SQL file of each dialect in a bundle folder. */
export const BUNDLE_SQL_FILES = Object.freeze({ sqlite: 'sqlite.sql', postgres: 'postgres.sql', db2: 'db2.sql' } as const satisfies Record<DialectName, string>);

/** The name of a bundle's SQL file. */
export type BundleSqlFile = (typeof BUNDLE_SQL_FILES)[DialectName];

/** A quarter, as a bundle names it. */
export interface BundleId {
  /** Folder name and ledger value: `<yyyy>_q<n>`, e.g. `2026_q4`. */
  readonly id: string;
  /** The quarter as people write it: `2026-Q4`. */
  readonly label: string;
  readonly year: number;
  readonly quarter: 1 | 2 | 3 | 4;
}

const QUARTER_PATTERN = /^(\d{4})[-_ ]?q([1-4])$/i;
const BUNDLE_ID_PATTERN = /^\d{4}_q[1-4]$/;

/**
 * Parses a quarter: `2026-Q4`, `2026_q4` or `2026Q4` (case-insensitive).
 *
 * @throws SpineError `INVALID_ARGUMENT` for anything else
 */
export function parseBundleId(text: string): BundleId {
  const match = QUARTER_PATTERN.exec(text.trim());
  if (!match) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `${JSON.stringify(text)} is not a quarter.`, { hint: 'Write the quarter as YYYY-Qn, e.g. 2026-Q4.' });
  }
  const year = Number(match[1]);
  const quarter = Number(match[2]) as BundleId['quarter'];
  return { id: `${year}_q${quarter}`, label: `${year}-Q${quarter}`, year, quarter };
}

/** True when `name` is a bundle folder name (`<yyyy>_q<n>`). */
export function isBundleId(name: string): boolean {
  return BUNDLE_ID_PATTERN.test(name);
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256');
const perDialect = <T extends z.ZodType>(value: T) => z.object({ sqlite: value, postgres: value, db2: value }).strict();

/** One migration of a bundle, as the manifest lists it (in apply order). */
const BundleMigrationSchema = z
  .object({
    /** `<source>/<tier>/<NNNN>_<slug>`, the ledger's `migration_id`. */
    id: z.string().min(1),
    /** npm package name (`_migrations.package`). */
    package: z.string().min(1),
    /** The package's version when the bundle was built (`_migrations.package_version`). */
    package_version: z.string().min(1),
    tier: z.enum(TIERS),
    /** sha256 of the normalised script of each dialect (`_migrations.checksum`); null when the migration has none for it. */
    checksums: perDialect(sha256.nullable()),
  })
  .strict();

/** The `manifest.json` of a bundle folder. */
export const BundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    /** The bundle's id: folder name and `_migrations.bundle` value. */
    bundle: z.string().regex(BUNDLE_ID_PATTERN),
    /** The quarter, `YYYY-Qn`. */
    quarter: z.string(),
    /** ISO-8601 UTC instant of the build (`--created-at` reproduces a build). */
    created_at: z.iso.datetime(),
    /** The highest tier collected; optional-feature migrations are never in a bundle. */
    tier: z.enum(TIERS),
    /** The bundle before this one, or null for the first. */
    previous_bundle: z.string().regex(BUNDLE_ID_PATTERN).nullable(),
    /** Per dialect, the previous bundle's migrations: a database lacking any of them is refused. */
    requires: perDialect(z.array(z.string())),
    /** The packages the bundle was built from, with their versions then. */
    packages: z.array(z.object({ package: z.string(), source: z.string(), version: z.string() }).strict()),
    /** Which database the bundle is for, and what it leaves out. */
    note: z.string(),
    migrations: z.array(BundleMigrationSchema),
    /** sha256 of each SQL file's bytes. */
    files: z.object({ 'sqlite.sql': sha256, 'postgres.sql': sha256, 'db2.sql': sha256 }).strict(),
    /** The bundle's checksum: see {@link bundleChecksum}. */
    checksum: sha256,
  })
  .strict();

/** A bundle manifest (`manifest.json`). */
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** One migration of a {@link BundleManifest}. */
export type BundleMigration = z.infer<typeof BundleMigrationSchema>;

/** sha256 (lower-case hex) of bytes or UTF-8 text. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The manifest fields a bundle checksum covers. */
export type BundleChecksumInput = Pick<BundleManifest, 'bundle' | 'created_at' | 'tier' | 'previous_bundle' | 'migrations' | 'files'>;

/**
 * The text a bundle checksum is the sha256 of (UTF-8, every line ended by `\n`):
 * `bundle <id>`, `created_at <instant>`, `tier <tier>`, `previous <id|->`; then one
 * line per migration in manifest order,
 * `migration <id> <package> <package_version> <tier> sqlite=<checksum|-> postgres=<checksum|-> db2=<checksum|->`;
 * then one line per SQL file in the order sqlite.sql, postgres.sql, db2.sql,
 * `file <name> <sha256 of the file's bytes>` (the files carry the guards, so
 * `requires` is covered through them).
 */
export function bundleChecksumText(input: BundleChecksumInput): string {
  const lines = [`bundle ${input.bundle}`, `created_at ${input.created_at}`, `tier ${input.tier}`, `previous ${input.previous_bundle ?? '-'}`];
  for (const m of input.migrations) {
    lines.push(`migration ${m.id} ${m.package} ${m.package_version} ${m.tier} ${BUNDLE_DIALECTS.map((d) => `${d}=${m.checksums[d] ?? '-'}`).join(' ')}`);
  }
  for (const dialect of BUNDLE_DIALECTS) {
    const name = BUNDLE_SQL_FILES[dialect];
    lines.push(`file ${name} ${input.files[name]}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** The bundle's own checksum: sha256 of {@link bundleChecksumText}. */
export function bundleChecksum(input: BundleChecksumInput): string {
  return sha256Hex(bundleChecksumText(input));
}

/** The manifest as written to `manifest.json`: two-space JSON, keys in schema order, a final newline. */
export function serializeManifest(manifest: BundleManifest): string {
  return `${JSON.stringify(BundleManifestSchema.parse(manifest), null, 2)}\n`;
}

/** The ids of the migrations a bundle has a script for in `dialect`, in apply order. */
export function bundleMigrationIds(manifest: Pick<BundleManifest, 'migrations'>, dialect: DialectName): string[] {
  return manifest.migrations.filter((m) => m.checksums[dialect] !== null).map((m) => m.id);
}

function invalid(message: string, hint: string, cause?: unknown): SpineError {
  return new SpineError(ErrorCode.BUNDLE_INVALID, message, cause === undefined ? { hint } : { hint, cause });
}

/**
 * Reads and validates `<directory>/manifest.json`.
 *
 * @throws SpineError `BUNDLE_INVALID` when it is missing, not JSON, or not a manifest of this format
 */
export function readBundleManifest(directory: string): BundleManifest {
  const path = join(directory, BUNDLE_MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalid(`Cannot read the bundle manifest ${path}: ${errorMessage(error)}`, 'Point at a bundle folder (migrations/<yyyy>_q<n>) built by `spine bundle build`.', error);
  }
  const parsed = BundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(`${path} is not a ${BUNDLE_FORMAT} manifest: ${issues.join('; ')}.`, 'Restore the file from version control, or rebuild the bundle with `spine bundle build`.');
  }
  return parsed.data;
}

/** A bundle folder found in a bundles directory. */
export interface BundleFolder {
  readonly id: string;
  readonly directory: string;
}

/** The bundle folders (`<yyyy>_q<n>` with a manifest.json) in `directory`, oldest first; none when it does not exist. */
export function findBundleFolders(directory: string): BundleFolder[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isBundleId(e.name) && existsSync(join(directory, e.name, BUNDLE_MANIFEST_FILE)))
    .map((e) => ({ id: e.name, directory: join(directory, e.name) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
