// Copied into an empty npm project outside the workspace by consumer.test.mjs
// and run there as `node consumer-script.mjs <database file> <sample file name>`:
// it imports only the installed @market-spine packages, migrates a new SQLite
// database with the migrations shipped in their tarballs, runs one bundled
// FINRA sample through the pipeline, reads symbol_summary_latest and prints
// what it found as one JSON document on stdout.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Migrator, coreMigrationSource, openSpineDb, readLedger } from '@market-spine/core';
import { finraMigrationSource, runPipeline, sampleFiles } from '@market-spine/domains-finra';
import { riskMigrationSource } from '@market-spine/domains-risk';

const [dbPath, sampleName] = process.argv.slice(2);
if (!dbPath || !sampleName) throw new Error('usage: node consumer-script.mjs <database file> <sample file name>');

const PACKAGES = ['@market-spine/core', '@market-spine/quality', '@market-spine/domains-finra', '@market-spine/domains-risk', '@market-spine/cli'];
const ENTRY_POINTS = [...PACKAGES, '@market-spine/core/testing', '@market-spine/domains-risk/testing'];
const resolved = Object.fromEntries(ENTRY_POINTS.map((name) => [name, fileURLToPath(import.meta.resolve(name))]));
// Every entry point loads (the CLI's index too: it exports runCli, it runs nothing).
const exportCounts = {};
for (const name of ENTRY_POINTS) exportCounts[name] = Object.keys(await import(name)).length;

const sample = sampleFiles().find((path) => basename(path) === sampleName);
if (!sample) throw new Error(`no bundled sample ${sampleName}; the package ships: ${sampleFiles().map((p) => basename(p)).join(', ')}`);

const db = await openSpineDb(dbPath);
try {
  const sources = [coreMigrationSource(), finraMigrationSource()];
  const migrator = new Migrator(db, { sources });
  const selected = migrator.selected();
  const migrated = await migrator.migrate();
  const ledger = await readLedger(db);
  const report = await runPipeline(db, [sample]);

  const latest = db.kysely.selectFrom('finra_otc_transparency_symbol_summary_latest');
  const perWeek = await latest
    .select((eb) => ['week_ending', 'tier', eb.fn.countAll().as('symbols'), eb.fn.sum('total_volume').as('total_volume')])
    .groupBy(['week_ending', 'tier'])
    .orderBy('week_ending')
    .execute();
  const aabb = await latest.select(['symbol', 'week_ending', 'tier', 'total_volume', 'total_trades', 'venue_count']).where('symbol', '=', 'AABB').execute();

  const output = {
    resolved,
    exportCounts,
    sources: [...sources, riskMigrationSource()].map((s) => ({ name: s.name, packageName: s.packageName, version: s.version, directory: s.directory })),
    selected: selected.map((m) => ({ id: m.id, path: m.path })),
    // Anything but `ok` is printed whole: the test shows it when it fails.
    migrate: migrated.status === 'ok' ? { status: 'ok', applied: migrated.applied.map((m) => m.id) } : migrated,
    ledger: ledger.map((row) => ({ id: row.migration_id, package: row.package, version: row.package_version, success: Number(row.success) })),
    sample,
    pipeline: {
      status: report.status,
      files: report.files.map((f) => ({ file: basename(f.path), status: f.status, lines: f.lines })),
      partitions: report.partitions.map((p) => ({ weekEnding: p.weekEnding, tier: p.tier, status: p.status, stageReached: p.stageReached, lines: p.lines, accepted: p.accepted, rejected: p.rejected })),
    },
    symbolSummaryLatest: {
      perWeek: perWeek.map((w) => ({ week_ending: w.week_ending, tier: w.tier, symbols: Number(w.symbols), total_volume: Number(w.total_volume) })),
      AABB: aabb,
    },
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} finally {
  await db.close();
}
