import { resolve } from 'node:path';
import { ErrorCode, SpineError, buildBundle, bundleStates, parseTier, readBundleManifest, readLedger, verifyBundle } from '@market-spine/core';
import type { BundleManifest, BundleVerifyResult } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, migrationSources } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';
import { openForInspection } from './db-inspect.js';

/** Where bundle folders live, relative to the working directory (the repository root): `migrations/<yyyy>_q<n>/`. */
export const DEFAULT_BUNDLES_DIRECTORY = 'migrations';

/**
 * The note every bundle's manifest carries: bundles are the market-data
 * database's, built from the packages {@link migrationSources} names.
 */
export const MARKET_DATA_BUNDLE_NOTE =
  'Market-data database only: the migrations of @market-spine/core and @market-spine/domains-finra. ' +
  "@market-spine/domains-risk is not bundled: it owns the risk manager's separate SQLite state database (seeds 002/004), upgraded with `spine risk upgrade`.";

/** Prints a bundle verification; returns true when it passed. */
function printBundleVerify(io: CliIo, result: BundleVerifyResult, stream: 'stdout' | 'stderr'): boolean {
  const c = colors(io, stream);
  for (const check of result.checks) {
    const mark = check.status === 'ok' ? c.green('✓') : check.status === 'skipped' ? c.dim('-') : c.red('✗');
    println(io[stream], `${mark} ${check.name}: ${check.detail}`);
    for (const problem of check.problems.slice(0, 20)) println(io[stream], `    - ${problem}`);
    if (check.problems.length > 20) println(io[stream], `    … and ${check.problems.length - 20} more (--json lists all)`);
  }
  return result.status === 'ok';
}

/**
 * The manifest of a bundle folder that verifies against the market-data
 * packages (`spine db migrate --bundle` applies nothing else); the failed
 * checks are printed on stderr first.
 *
 * @throws SpineError `BUNDLE_INVALID` when the bundle does not verify
 */
export async function verifiedBundle(io: CliIo, directory: string): Promise<BundleManifest> {
  const path = resolve(io.cwd, directory);
  const result = await verifyBundle(path, migrationSources());
  if (result.status === 'failed') {
    printBundleVerify(io, { ...result, checks: result.checks.filter((c) => c.status === 'failed') }, 'stderr');
    throw new SpineError(ErrorCode.BUNDLE_INVALID, `Bundle ${path} does not verify against the installed packages; nothing applied.`, {
      hint: `\`spine bundle verify ${directory}\` shows every check. Use the bundle built for this version of Market Spine, or rebuild it (spine bundle build <quarter> --force).`,
    });
  }
  return readBundleManifest(path);
}

/** `spine bundle build | verify | list`: quarterly migration bundles (release artifacts in `migrations/`). */
export function registerBundleCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const bundle = program
    .command('bundle')
    .description('Quarterly migration bundles of the market-data database: one SQL file per dialect and a manifest, in migrations/<yyyy>_q<n>/');

  bundle
    .command('build')
    .description('Collect every migration added since the previous bundle (core and FINRA, in apply order) into migrations/<yyyy>_q<n>/')
    .argument('<quarter>', 'the quarter, YYYY-Qn (e.g. 2026-Q4)')
    .option('--tier <tier>', 'highest tier to collect: basic | intermediate | advanced (default: config, else basic)')
    .option('--dir <dir>', 'folder holding the bundle folders', DEFAULT_BUNDLES_DIRECTORY)
    .option('--created-at <instant>', 'ISO-8601 UTC instant to record (default: now)')
    .option('--force', "replace the quarter's folder when it exists: its migrations are collected again")
    .option('--json', 'print the manifest as JSON')
    .action(async (quarter: string, options: { tier?: string; dir: string; createdAt?: string; force?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const built = await buildBundle({
        sources: migrationSources(),
        bundlesDirectory: resolve(io.cwd, options.dir),
        quarter,
        tier: options.tier === undefined ? context.tier : parseTier(options.tier),
        note: MARKET_DATA_BUNDLE_NOTE,
        ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
        force: options.force ?? false,
      });
      setExit(ExitCode.OK);
      if (options.json) return printJson(io, { directory: built.directory, replaced: built.replaced, manifest: built.manifest });
      const { manifest } = built;
      const has = (value: string | null) => (value === null ? '' : '✓');
      println(io.stdout, table(['migration', 'package', 'version', 'sqlite', 'postgres', 'db2'], manifest.migrations.map((m) => [m.id, m.package, m.package_version, has(m.checksums.sqlite), has(m.checksums.postgres), has(m.checksums.db2)])));
      const previous = manifest.previous_bundle === null ? 'the first bundle' : `after bundle ${manifest.previous_bundle}`;
      println(io.stdout, `${colors(io).green('✓')} ${built.replaced ? 'Rebuilt' : 'Built'} bundle ${manifest.bundle} (${manifest.quarter}, tier ${manifest.tier}, ${previous}): ${manifest.migrations.length} migration(s) in ${built.directory}`);
      println(io.stdout, `  checksum ${manifest.checksum}`);
    });

  bundle
    .command('verify')
    .description("Check a bundle's manifest against its files and against the packages' migrations (a rebuild must give the same bytes)")
    .argument('<dir>', 'the bundle folder, e.g. migrations/2026_q4')
    .option('--json', 'print the result as JSON')
    .action(async (directory: string, options: { json?: boolean }) => {
      const result = await verifyBundle(resolve(io.cwd, directory), migrationSources());
      setExit(result.status === 'ok' ? ExitCode.OK : ExitCode.FAILED);
      if (options.json) return printJson(io, result);
      printBundleVerify(io, result, 'stdout');
    });

  bundle
    .command('list')
    .description('The bundles, oldest first, and how much of each the database has (--db, $SPINE_DB or the config)')
    .option('--dir <dir>', 'folder holding the bundle folders', DEFAULT_BUNDLES_DIRECTORY)
    .option('--json', 'print the list as JSON')
    .action(async (options: { dir: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const { db, exists } = await openForInspection(context);
      try {
        const dialect = db.dialectName;
        const bundles = bundleStates(resolve(io.cwd, options.dir), dialect, await readLedger(db));
        setExit(ExitCode.OK);
        if (options.json) return printJson(io, { location: context.target, exists, dialect, bundles });
        println(io.stdout, `Database ${context.target} (${dialect})${exists ? '' : ' — does not exist yet'}`);
        if (bundles.length === 0) return println(io.stdout, `No bundles in ${resolve(io.cwd, options.dir)}.`);
        println(
          io.stdout,
          table(
            ['bundle', 'quarter', 'created (UTC)', 'tier', 'migrations', 'applied', 'state'],
            bundles.map((b) => [b.bundle, b.quarter, b.createdAt, b.tier, b.migrations, b.applied, b.state === 'applied' && b.fromBundle === 0 ? 'applied (by db migrate)' : b.state]),
          ),
        );
      } finally {
        await db.close();
      }
    });
}
