import { resolve } from 'node:path';
import { archiveCaptures, restoreArchive } from '@market-spine/domains-finra';
import type { ArchivedCapture } from '@market-spine/domains-finra';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { bytes, colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

const captureLine = (c: ArchivedCapture) => `${c.week_ending} ${c.tier} ${c.capture_id} (captured ${c.captured_at})`;

/** `spine ops archive | restore-archive` (seed 000 "Archive Old Captures"). */
export function registerArchiveCommands(ops: Command, io: CliIo, setExit: (code: Exit) => void): void {
  ops
    .command('archive')
    .description(
      'Move FINRA captures older than an age to a gzip\'d JSON-lines file (checked before anything is deleted), delete them in one transaction, then VACUUM; the newest capture of each (week, tier) is always kept',
    )
    .requiredOption('--older-than <age>', 'age by captured_at, e.g. 2y, 18mo, 90d (a year is 365.25 days)')
    .option('--out <file>', 'archive file (default: finra-archive-<UTC timestamp>.jsonl.gz here); never overwritten')
    .option('--dry-run', 'list what would be archived, with row counts; write and delete nothing')
    .option('--no-vacuum', 'skip the VACUUM after the delete')
    .option('--json', 'print the result as JSON')
    .action(async (options: { olderThan: string; out?: string; dryRun?: boolean; vacuum: boolean; json?: boolean }, command: Command) => {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      const file = resolve(io.cwd, options.out ?? `finra-archive-${stamp}.jsonl.gz`);
      await withDatabase(command, io, 'write', async (db) => {
        const result = await archiveCaptures(db, { olderThan: options.olderThan, file, dryRun: options.dryRun ?? false, vacuum: options.vacuum });
        if (options.json) return printJson(io, result);
        const c = colors(io);
        for (const kept of result.kept) println(io.stdout, `${c.yellow('!')} Kept ${captureLine(kept)}: the newest capture of its week and tier is never archived.`);
        if (result.status === 'nothing_to_archive') {
          return println(io.stdout, `Nothing to archive: no capture was captured before ${result.cutoff}${result.kept.length > 0 ? ' but the newest of its week and tier (kept)' : ''}.`);
        }
        const verb = result.status === 'planned' ? 'Would archive' : 'Archived';
        println(io.stdout, `${verb} ${result.captures.length} capture(s) captured before ${result.cutoff}:`);
        for (const capture of result.captures) println(io.stdout, `  ${captureLine(capture)}`);
        println(io.stdout, table(['table', 'rows'], result.tables.map((t) => [t.name, t.rows])));
        if (result.status === 'planned') return println(io.stdout, 'Dry run: nothing was written or deleted.');
        println(io.stdout, `${c.green('✓')} ${result.file}: ${bytes(result.fileBytes)}, checked against its header, then the rows were deleted.`);
        if (result.vacuum !== null) println(io.stdout, `${c.green('✓')} Vacuumed: ${result.vacuum.reclaimedBytes.toLocaleString('en-US')} bytes (${bytes(Math.max(0, result.vacuum.reclaimedBytes))}) reclaimed.`);
        println(io.stdout, `Put them back with \`spine ops restore-archive ${result.file}\`.`);
      });
    });

  ops
    .command('restore-archive')
    .description('Put the captures of an archive file back, in one transaction, after checking its row counts and checksums')
    .argument('<file>', 'a file written by `spine ops archive`')
    .option('--json', 'print the result as JSON')
    .action(async (fileArg: string, options: { json?: boolean }, command: Command) => {
      const file = resolve(io.cwd, fileArg);
      await withDatabase(command, io, 'write', async (db) => {
        const result = await restoreArchive(db, file);
        setExit(result.status === 'restored' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'already_present') {
          return println(io.stdout, `${c.red('✗')} Capture(s) ${result.present.join(', ')} of ${file} are in the database already; nothing was restored.`);
        }
        println(io.stdout, `${c.green('✓')} Restored ${result.captures.length} capture(s) from ${file}:`);
        println(io.stdout, table(['table', 'rows'], result.tables.map((t) => [t.name, t.rows])));
      });
    });
}
