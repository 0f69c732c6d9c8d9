import { DOMAIN, parseFinraTier, parseWeekEnding, partitionKey } from '@market-spine/domains-finra';
import { readResults } from '@market-spine/quality';
import type { QualityStatus } from '@market-spine/quality';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { ExitCode } from '../exit-codes.js';
import { printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

const STATUSES: readonly QualityStatus[] = ['PASS', 'WARN', 'FAIL', 'ERROR'];

interface ReportOptions {
  week?: string;
  tier?: string;
  status?: string;
  limit?: string;
  json?: boolean;
}

/** `spine quality report`: stored quality check results, newest first. */
export function registerQualityCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const quality = program.command('quality').description('Data quality check results');
  quality
    .command('report')
    .description('Stored check results (core_quality_checks), newest first; exits 1 when any shown result is FAIL or ERROR')
    .option('--week <date>', 'week ending (needs --tier)')
    .option('--tier <tier>', 'tier (needs --week)')
    .option('--status <status>', 'only PASS | WARN | FAIL | ERROR')
    .option('--limit <n>', 'most rows shown', '100')
    .option('--json', 'print as JSON')
    .action(async (options: ReportOptions, command: Command) => {
      if ((options.week === undefined) !== (options.tier === undefined)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, '--week and --tier go together.', { hint: 'Give both to select one (week, tier), or neither.' });
      }
      const partition = options.week !== undefined && options.tier !== undefined ? partitionKey(parseWeekEnding(options.week), parseFinraTier(options.tier)) : undefined;
      const status = options.status?.toUpperCase();
      if (status !== undefined && !STATUSES.includes(status as QualityStatus)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unknown status ${JSON.stringify(options.status)}.`, { hint: `Use one of ${STATUSES.join(', ')}.` });
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--limit must be a positive integer, got ${JSON.stringify(options.limit)}.`);
      }
      await withDatabase(command, io, 'read', async (db) => {
        const rows = await readResults(db.executor(), {
          domain: DOMAIN,
          limit,
          ...(partition === undefined ? {} : { partitionKey: partition }),
          ...(status === undefined ? {} : { status: status as QualityStatus }),
        });
        setExit(rows.some((r) => r.status === 'FAIL' || r.status === 'ERROR') ? ExitCode.FAILED : ExitCode.OK);
        if (options.json) return printJson(io, rows);
        if (rows.length === 0) return println(io.stdout, 'No quality results match.');
        println(
          io.stdout,
          table(
            ['checked at (UTC)', 'partition', 'stage', 'check', 'category', 'status', 'value', 'expected', 'message'],
            rows.map((r) => [r.checked_at, r.partition_key, r.stage, r.check_name, r.category, r.status, r.check_value, r.expected_value, r.message]),
          ),
        );
      });
    });
}
