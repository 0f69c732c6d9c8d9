import { ingestApiRecords, symbolTotalHistory } from '@market-spine/domains-finra';
import type { FinraTables, IngestApiResult } from '@market-spine/domains-finra';
import type { SpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';
import { apiIngestProgress } from '../progress.js';

/** Symbols listed with their latest rolling figures after a load; the rest are counted. */
const SHOWN_SYMBOLS = 10;

const count = (n: number): string => n.toLocaleString('en-US');

async function printResult(io: CliIo, db: SpineDb<FinraTables>, result: IngestApiResult): Promise<void> {
  const c = colors(io);
  if (result.status === 'failed') {
    println(io.stderr, `${c.red('✗')} ${result.error.message}`);
    if (result.error.hint) println(io.stderr, `  ${result.error.hint}`);
    println(io.stderr, `  [${result.error.code}]`);
  }
  const { source } = result;
  if (source === null) return;
  const verdict = result.status === 'loaded' ? c.green('loaded') : result.status === 'unchanged' ? 'unchanged (these bytes are loaded already)' : c.red('failed');
  println(io.stdout, `FINRA Query API: ${source.path} — ${verdict}${result.batchId ? ` (batch ${result.batchId})` : ''}`);
  const tiers = [...new Set(result.partitions.map((p) => p.tier))].join(', ');
  println(
    io.stdout,
    `Records ${count(source.records)} = accepted ${count(source.accepted)} + rejected ${count(source.rejected)}; ` +
      `${count(source.weeks)} week(s)${source.firstWeekEnding ? ` ending ${source.firstWeekEnding} … ${source.lastWeekEnding}` : ''} of ${source.symbols.length} symbol(s)${tiers ? ` (${tiers})` : ''}; ` +
      `${count(source.revisions)} revised by FINRA after first publication.`,
  );
  const reasons = Object.entries(source.rejectReasons);
  if (reasons.length > 0) println(io.stdout, `Rejects: ${reasons.map(([code, n]) => `${code} ${n}`).join(', ')} (finra_otc_transparency_rejects keeps each record and why).`);
  for (const response of source.responses.filter((r) => r.recordTotal !== null && r.recordTotal > r.records)) {
    println(io.stderr, c.yellow(`! Response ${response.index} holds ${count(response.records)} of the ${count(response.recordTotal as number)} records FINRA counted: request the rest (offset) and load them too.`));
  }
  for (const p of result.partitions.filter((x) => x.error !== null)) println(io.stderr, `${c.red('✗')} ${p.partitionKey}: ${p.error?.message} [${p.error?.code}]`);
  const rows = [];
  for (const symbol of source.symbols.slice(0, SHOWN_SYMBOLS)) {
    const last = (await symbolTotalHistory(db, symbol)).at(-1);
    if (!last) continue;
    rows.push([symbol, last.tier, last.weekEnding, last.totalVolume, last.avg6wVolume, last.trendDirection === null ? null : `${last.trendDirection}${last.trendPct === null ? '' : ` ${last.trendPct} %`}`, last.weeksInWindow]);
  }
  if (rows.length > 0) {
    println(io.stdout, table(['symbol', 'tier', 'latest week', 'volume (shares)', 'avg 6w volume', 'trend', 'weeks'], rows));
    if (source.symbols.length > SHOWN_SYMBOLS) println(io.stdout, `… and ${source.symbols.length - SHOWN_SYMBOLS} more symbol(s).`);
  }
}

function exitFor(result: IngestApiResult): Exit {
  if (result.status !== 'failed') return ExitCode.OK;
  return result.source === null ? exitCodeFor(result.error.code) : ExitCode.FAILED;
}

/**
 * `spine finra ingest-api <files...>`: loads FINRA Query API files of
 * weeklySummary ATS_W_SMBL symbol totals (source_type `api`) and computes their
 * rolling 6-week metrics. Symbol totals never become venue rows. Exit 0 when
 * every file loaded or was unchanged, 2 for a file that is missing or not an
 * API file, 1 when a (week, tier) failed.
 */
export function registerFinraIngestApiCommand(finra: Command, io: CliIo, setExit: (code: Exit) => void): void {
  finra
    .command('ingest-api')
    .description('Load FINRA Query API files (weeklySummary ATS_W_SMBL symbol totals, JSON) with rolling 6-week metrics; never venue rows')
    .argument('<files...>', 'JSON files: a weeklySummary response body, or recorded responses (list of {json, status, headers, text})')
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      await withDatabase(command, io, 'write', async (db) => {
        const results: IngestApiResult[] = [];
        for (const file of files) {
          const progress = apiIngestProgress(io, !options.json);
          try {
            results.push(await ingestApiRecords(db, file, { onEvent: progress.onEvent }));
          } finally {
            progress.stop();
          }
          if (!options.json) await printResult(io, db, results.at(-1) as IngestApiResult);
        }
        if (options.json) printJson(io, results);
        const codes = results.map(exitFor);
        setExit(codes.includes(ExitCode.FAILED) ? ExitCode.FAILED : (codes.find((code) => code !== ExitCode.OK) ?? ExitCode.OK));
      });
    });
}
