import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ErrorCode, SpineError, errorMessage } from '@market-spine/core';
import { collectWeekReport, formatShare, parseFinraTier, parseWeekEnding, renderWeekReportHtml } from '@market-spine/domains-finra';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import { bytes, printJson, println } from '../output.js';
import type { CliIo } from '../output.js';

interface ReportOptions {
  week: string;
  tier: string;
  out?: string;
  top: string;
  json?: boolean;
}

/**
 * `spine finra report --week <date> --tier <tier> [--out file.html]`: the
 * week's self-contained HTML report (venue market shares, HHI concentration,
 * rejects, stored quality results). A (week, tier) that is not loaded is
 * `INVALID_ARGUMENT` (exit 2).
 */
export function registerFinraReportCommand(finra: Command, io: CliIo): void {
  finra
    .command('report')
    .description('Write a self-contained HTML report of a week: venue market shares, HHI concentration, rejects, quality results')
    .requiredOption('--week <date>', 'week ending (Friday, YYYY-MM-DD)')
    .requiredOption('--tier <tier>', 'NMS_TIER_1 | NMS_TIER_2 | OTC (aliases accepted)')
    .option('--out <file>', 'HTML file to write (default: finra-report_<week>_<tier>.html)')
    .option('--top <n>', 'symbols in the most / least concentrated lists', '10')
    .option('--json', 'print what was written as JSON')
    .action(async (options: ReportOptions, command: Command) => {
      const week = parseWeekEnding(options.week);
      const tier = parseFinraTier(options.tier);
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--top must be a positive whole number, got ${JSON.stringify(options.top)}.`);
      }
      const out = resolve(io.cwd, options.out ?? `finra-report_${week}_${tier}.html`);
      const report = await withDatabase(command, io, 'read', (db) => collectWeekReport(db, week, tier, { top }));
      const page = renderWeekReportHtml(report);
      try {
        writeFileSync(out, page, 'utf8');
      } catch (error) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot write the report to ${out}: ${errorMessage(error)}`, {
          hint: 'Pass --out with a file in an existing, writable folder.',
        });
      }
      const size = Buffer.byteLength(page, 'utf8');
      const topVenue = report.venues[0];
      if (options.json) {
        return printJson(io, {
          path: out,
          bytes: size,
          weekEnding: week,
          tier,
          captureId: report.week.captureId,
          venues: report.venues.length,
          symbols: report.concentration.symbols,
          rejects: report.rejects.total,
          quality: report.week.quality,
        });
      }
      const shown = relative(io.cwd, out).startsWith('..') ? out : relative(io.cwd, out);
      println(
        io.stdout,
        `Wrote ${shown} (${bytes(size)}): ${week} ${tier} — ${report.venues.length} venues${topVenue ? ` (top ${topVenue.mpid} ${formatShare(topVenue.marketShare)})` : ''}, ` +
          `${report.concentration.symbols.toLocaleString('en-US')} symbols, ${report.rejects.total.toLocaleString('en-US')} rejects, quality ${report.week.quality ?? 'none'}.`,
      );
    });
}
