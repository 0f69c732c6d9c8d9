import { diffCaptures, listCaptures, parseFinraTier, parseWeekEnding } from '@market-spine/domains-finra';
import type { CaptureDiff, CaptureInfo } from '@market-spine/domains-finra';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

interface WeekOptions {
  week: string;
  tier: string;
  json?: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');
/** `old → new`, a side left blank where the row is absent. */
const oldToNew = (old: number | null, now: number | null) => `${old === null ? '' : count(old)} → ${now === null ? '' : count(now)}`;
const describe = (c: CaptureInfo) => `${c.captureId} (captured ${c.capturedAt}, lastUpdateDate ${c.sourceLastUpdateDate ?? 'none'})`;

function capturesTable(captures: readonly CaptureInfo[]): string {
  return table(
    ['capture', 'captured at', 'lastUpdateDate', 'stage', 'venue rows', 'type', 'source'],
    captures.map((c) => [c.captureId, c.capturedAt, c.sourceLastUpdateDate, c.stage, c.venueRows, c.sourceType, c.sourceLocator]),
  );
}

function printDiff(io: CliIo, diff: Extract<CaptureDiff, { status: 'ok' }>): void {
  println(io.stdout, `FINRA OTC transparency ${diff.weekEnding} ${diff.tier}: ${describe(diff.from)} → ${describe(diff.to)}`);
  println(io.stdout, `${count(diff.changed.length)} changed, ${count(diff.added.length)} added, ${count(diff.removed.length)} removed, ${count(diff.unchanged)} unchanged venue rows (shares and trades compared).`);
  const rows = [
    ...diff.changed.map((c) => ({ change: 'changed', symbol: c.symbol, mpid: c.mpid, shares: oldToNew(c.totalVolume.old, c.totalVolume.new), trades: oldToNew(c.tradeCount.old, c.tradeCount.new) })),
    ...diff.added.map((a) => ({ change: 'added', symbol: a.symbol, mpid: a.mpid, shares: oldToNew(null, a.totalVolume), trades: oldToNew(null, a.tradeCount) })),
    ...diff.removed.map((r) => ({ change: 'removed', symbol: r.symbol, mpid: r.mpid, shares: oldToNew(r.totalVolume, null), trades: oldToNew(r.tradeCount, null) })),
  ].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.mpid < b.mpid ? -1 : a.mpid > b.mpid ? 1 : 0));
  if (rows.length > 0) println(io.stdout, table(['change', 'symbol', 'MPID', 'shares (old → new)', 'trades (old → new)'], rows.map((r) => [r.change, r.symbol, r.mpid, r.shares, r.trades])));
}

/**
 * `spine finra captures` and `spine finra diff`: the captures of a (week,
 * tier) — a revised FINRA file is a new capture beside the one it revises —
 * and the venue rows that changed between two of them. A diff that cannot be
 * made (fewer than two normalized captures, an unknown capture id) prints why
 * and the captures there are, and exits 2.
 */
export function registerFinraCaptureCommands(finra: Command, io: CliIo, setExit: (code: Exit) => void): void {
  finra
    .command('captures')
    .description('Captures of a week and tier, newest first: when each was ingested, its lastUpdateDate, stage and venue rows')
    .requiredOption('--week <date>', 'week ending (Friday, YYYY-MM-DD)')
    .requiredOption('--tier <tier>', 'NMS_TIER_1 | NMS_TIER_2 | OTC (aliases accepted)')
    .option('--json', 'print as JSON')
    .action(async (options: WeekOptions, command: Command) => {
      const week = parseWeekEnding(options.week);
      const tier = parseFinraTier(options.tier);
      await withDatabase(command, io, 'read', async (db) => {
        const captures = await listCaptures(db, week, tier);
        if (options.json) return printJson(io, { weekEnding: week, tier, captures });
        if (captures.length === 0) return println(io.stdout, `No captures of ${week} ${tier}. \`spine finra weeks\` lists the loaded weeks.`);
        println(io.stdout, capturesTable(captures));
      });
    });

  finra
    .command('diff')
    .description('Venue rows added, removed and changed (old → new shares and trades) between two captures of a week; default: the two newest')
    .requiredOption('--week <date>', 'week ending (Friday, YYYY-MM-DD)')
    .requiredOption('--tier <tier>', 'NMS_TIER_1 | NMS_TIER_2 | OTC (aliases accepted)')
    .option('--from <capture>', 'older capture id (default: the newest one before --to)')
    .option('--to <capture>', 'newer capture id (default: the newest one)')
    .option('--json', 'print as JSON')
    .action(async (options: WeekOptions & { from?: string; to?: string }, command: Command) => {
      const week = parseWeekEnding(options.week);
      const tier = parseFinraTier(options.tier);
      await withDatabase(command, io, 'read', async (db) => {
        const diff = await diffCaptures(db, {
          weekEnding: week,
          tier,
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.to === undefined ? {} : { to: options.to }),
        });
        if (diff.status !== 'ok') setExit(ExitCode.USAGE);
        if (options.json) return printJson(io, diff);
        if (diff.status === 'ok') return printDiff(io, diff);
        const comparable = diff.captures.filter((c) => c.venueRows > 0).length;
        println(
          io.stderr,
          diff.status === 'capture_not_found'
            ? `${diff.captureId} is not a capture of ${week} ${tier} with venue rows (normalized); pick one of those below.`
            : `${week} ${tier} has ${comparable} capture(s) with venue rows; a diff needs two. Load the revised file with \`spine finra run <file>\`.`,
        );
        if (diff.captures.length > 0) println(io.stderr, capturesTable(diff.captures));
      });
    });
}
