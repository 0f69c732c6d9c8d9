import { listWeeks, parseAsOf, parseFinraTier, parseWeekEnding, rejectCounts, runPipeline, symbolHistory, symbolHistoryAsOf, venueRanking } from '@market-spine/domains-finra';
import type { FinraTables, RunReport, SymbolWeek, SymbolWeekAsOf } from '@market-spine/domains-finra';
import type { SpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, openForCommand, withDatabase } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, percent, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';
import { pipelineProgress } from '../progress.js';
import { registerFinraCaptureCommands } from './finra-captures.js';
import { registerFinraIngestApiCommand } from './finra-ingest-api.js';
import { registerFinraReportCommand } from './finra-report.js';

interface LoadOptions {
  weekEnding?: string;
  tier?: string;
  json?: boolean;
}

async function printRunSummary(io: CliIo, db: SpineDb<FinraTables>, report: RunReport): Promise<void> {
  const c = colors(io);
  for (const file of report.files.filter((f) => f.status === 'error')) {
    println(io.stderr, `${c.red('✗')} ${file.path}: ${file.error?.message ?? 'failed'}`);
    if (file.error?.hint) println(io.stderr, `  ${file.error.hint}`);
    if (file.error) println(io.stderr, `  [${file.error.code}]`);
  }
  const unchanged = report.files.filter((f) => f.status === 'unchanged').length;
  const loaded = report.files.filter((f) => f.status === 'loaded').length;
  println(io.stdout, `FINRA OTC transparency: ${report.files.length} file(s) — ${loaded} loaded, ${unchanged} unchanged${report.batchId ? ` (batch ${report.batchId})` : ''}`);
  if (report.partitions.length === 0) return;
  const rows = [];
  for (const p of report.partitions) {
    const reasons = p.rejected > 0 ? (await rejectCounts(db, p.captureId)).map((r) => `${r.reasonCode} ${r.count}`).join(', ') : '';
    rows.push([p.weekEnding, p.tier, p.lines, p.accepted, p.rejected, reasons, p.stageReached, p.quality ?? '', p.status]);
  }
  println(io.stdout, table(['week ending', 'tier', 'lines', 'accepted', 'rejected', 'reject reasons', 'stage', 'quality', 'status'], rows));
  const lines = report.partitions.reduce((n, p) => n + p.lines, 0);
  const accepted = report.partitions.reduce((n, p) => n + p.accepted, 0);
  const rejected = report.partitions.reduce((n, p) => n + p.rejected, 0);
  println(io.stdout, `Weeks: ${report.partitions.length}; lines ${lines.toLocaleString('en-US')} = accepted ${accepted.toLocaleString('en-US')} + rejected ${rejected.toLocaleString('en-US')}.`);
  const issues = new Map<string, string>();
  for (const p of report.partitions) for (const i of p.qualityIssues) issues.set(`${i.status} ${i.checkName}`, i.message);
  for (const p of report.partitions) if (p.error) println(io.stderr, `${c.red('✗')} ${p.partitionKey}: ${p.error.message} [${p.error.code}]`);
  if (report.partitions.every((p) => p.quality === null)) println(io.stdout, 'Quality: no checks have run yet (they run after each stage of `spine finra run`).');
  else if (issues.size === 0) println(io.stdout, `Quality: ${c.green('PASS')} on every check.`);
  else for (const [check, message] of issues) println(io.stdout, `Quality: ${check.startsWith('WARN') ? c.yellow(check) : c.red(check)} — e.g. ${message}`);
  const top: string[] = [];
  for (const p of report.partitions) {
    const venues = await venueRanking(db, p.weekEnding, p.tier);
    if (venues.length > 0) top.push(`  ${p.weekEnding} ${p.tier}: ${venues.slice(0, 3).map((v) => `${v.mpid} ${percent(v.marketShare)}`).join(', ')}`);
  }
  if (top.length > 0) println(io.stdout, ['Top venues by market share:', ...top].join('\n'));
}

function runExitCode(report: RunReport): Exit {
  if (report.partitions.some((p) => p.error !== null)) return ExitCode.FAILED;
  const errors = report.files.filter((f) => f.status === 'error');
  if (errors.length === 0) return ExitCode.OK;
  return errors.every((f) => f.error && exitCodeFor(f.error.code) === ExitCode.USAGE) ? ExitCode.USAGE : ExitCode.FAILED;
}

/** `spine finra …`: load FINRA OTC transparency files and read the results. */
export function registerFinraCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const finra = program.command('finra').description('FINRA OTC transparency data: ingest, pipeline, reads');

  const load = (through: 'INGESTED' | 'SNAPSHOT') => async (inputs: string[], options: LoadOptions, command: Command) => {
    const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
    const weekEnding = options.weekEnding === undefined ? undefined : parseWeekEnding(options.weekEnding);
    const tier = options.tier === undefined ? undefined : parseFinraTier(options.tier);
    const db = await openForCommand(context, 'write', io);
    const progress = pipelineProgress(io, !options.json);
    try {
      const report = await runPipeline(db, inputs, {
        through,
        onEvent: progress.onEvent,
        ...(weekEnding === undefined ? {} : { weekEnding }),
        ...(tier === undefined ? {} : { tier }),
      });
      progress.stop();
      if (options.json) printJson(io, report);
      else await printRunSummary(io, db, report);
      setExit(runExitCode(report));
    } finally {
      progress.stop();
      await db.close();
    }
  };

  finra
    .command('ingest')
    .description('Ingest FINRA files (stage INGESTED): new bytes for a (week, tier) become a new capture')
    .argument('<files...>', 'FINRA website exports or 6-column files, or folders of them')
    .option('--week-ending <date>', 'business week (Friday, YYYY-MM-DD) for every row, instead of deriving it')
    .option('--tier <tier>', 'declared tier: fills empty tier fields, rejects rows of another tier')
    .option('--json', 'print the run report as JSON')
    .action(load('INGESTED'));

  finra
    .command('run')
    .description('Run every stage (ingest → normalize → aggregate → rolling → snapshot), weeks in order')
    .argument('<inputs...>', 'files or folders (folders: *.csv, *.txt, *.psv)')
    .option('--week-ending <date>', 'business week (Friday, YYYY-MM-DD) for every row, instead of deriving it')
    .option('--tier <tier>', 'declared tier: fills empty tier fields, rejects rows of another tier')
    .option('--json', 'print the run report as JSON')
    .action(load('SNAPSHOT'));

  finra
    .command('weeks')
    .description('Loaded weeks by tier: stage reached, captures, rows, quality')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withDatabase(command, io, 'read', async (db) => {
        const weeks = await listWeeks(db);
        if (options.json) return printJson(io, weeks);
        if (weeks.length === 0) return println(io.stdout, 'No weeks loaded yet. Load some with `spine finra run <files>`.');
        println(
          io.stdout,
          table(
            ['week ending', 'tier', 'stage', 'captures', 'lines', 'accepted', 'rejected', 'symbols', 'volume (shares)', 'quality'],
            weeks.map((w) => [w.weekEnding, w.tier, w.stage, w.captures, w.lines, w.accepted, w.rejected, w.symbols, w.totalVolume, w.quality]),
          ),
        );
      });
    });

  finra
    .command('symbol')
    .description("A symbol's weeks: volume, venues, HHI, rolling 6-week metrics")
    .argument('<symbol>', 'issue symbol, e.g. AABB')
    .option('--tier <tier>', 'only this tier')
    .option('--as-of <instant>', 'what was known then: each week from its newest capture at or before this instant (ISO-8601 with Z or an offset, e.g. 2025-12-20T00:00:00Z)')
    .option('--json', 'print as JSON')
    .action(async (symbol: string, options: { tier?: string; asOf?: string; json?: boolean }, command: Command) => {
      const tier = options.tier === undefined ? undefined : parseFinraTier(options.tier);
      const asOf = options.asOf === undefined ? undefined : parseAsOf(options.asOf);
      await withDatabase(command, io, 'read', async (db) => {
        const only = tier === undefined ? {} : { tier };
        const weeks: readonly (SymbolWeek | SymbolWeekAsOf)[] = asOf === undefined ? await symbolHistory(db, symbol, only) : await symbolHistoryAsOf(db, symbol, { asOf, ...only });
        if (options.json) return printJson(io, asOf === undefined ? { symbol, weeks } : { symbol, asOf, weeks });
        if (weeks.length === 0) {
          println(io.stdout, `No data for symbol ${JSON.stringify(symbol)}${asOf === undefined ? '' : ` as of ${asOf}`}.`);
          return;
        }
        if (asOf !== undefined) println(io.stdout, `As of ${asOf}: each week from its newest capture at or before that instant.`);
        println(
          io.stdout,
          table(
            ['week ending', 'tier', 'volume (shares)', 'trades', 'venues', 'top venue', 'top share', 'HHI', 'avg 6w volume', 'trend', 'weeks', ...(asOf === undefined ? [] : ['captured at'])],
            weeks.map((w) => [
              w.weekEnding,
              w.tier,
              w.totalVolume,
              w.totalTrades,
              w.venueCount,
              w.topVenue,
              percent(w.topVenueShare),
              w.hhi === null ? null : w.hhi.toFixed(4),
              w.avg6wVolume,
              w.trendDirection === null ? null : `${w.trendDirection}${w.trendPct === null ? '' : ` ${w.trendPct} %`}`,
              w.weeksInWindow,
              ...('capturedAt' in w ? [w.capturedAt] : []),
            ]),
          ),
        );
      });
    });

  finra
    .command('venues')
    .description('Tier-wide venue ranking for a week (market share of the tier volume)')
    .requiredOption('--week <date>', 'week ending (Friday, YYYY-MM-DD)')
    .requiredOption('--tier <tier>', 'NMS_TIER_1 | NMS_TIER_2 | OTC (aliases accepted)')
    .option('--json', 'print as JSON')
    .action(async (options: { week: string; tier: string; json?: boolean }, command: Command) => {
      const week = parseWeekEnding(options.week);
      const tier = parseFinraTier(options.tier);
      await withDatabase(command, io, 'read', async (db) => {
        const venues = await venueRanking(db, week, tier);
        if (options.json) return printJson(io, { weekEnding: week, tier, venues });
        if (venues.length === 0) {
          println(io.stdout, `No venue data for ${week} ${tier}. \`spine finra weeks\` lists the loaded weeks.`);
          return;
        }
        println(
          io.stdout,
          table(
            ['rank', 'MPID', 'participant', 'volume (shares)', 'trades', 'symbols', 'market share'],
            venues.map((v) => [v.rank, v.mpid, v.participantName, v.totalVolume, v.totalTrades, v.symbolCount, percent(v.marketShare)]),
          ),
        );
      });
    });

  registerFinraReportCommand(finra, io);
  registerFinraCaptureCommands(finra, io, setExit);
  registerFinraIngestApiCommand(finra, io, setExit);
}

