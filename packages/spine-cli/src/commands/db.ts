import { existsSync } from 'node:fs';
import { Migrator, openSpineDb, parseTier } from '@market-spine/core';
import type { MigrateResult } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, migrationSources } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

interface MigrateOptions {
  tier?: string;
  to?: string;
  allowOutOfOrder?: boolean;
  json?: boolean;
}

function printMigrateResult(io: CliIo, result: MigrateResult, location: string): Exit {
  const c = colors(io);
  if (result.status === 'refused') {
    println(io.stderr, `${c.red('✗')} Nothing applied: ${result.message}`);
    if (result.hint) println(io.stderr, `  ${result.hint}`);
    println(io.stderr, `  [${result.code}]`);
    return ExitCode.FAILED;
  }
  if (result.status === 'failed') {
    const f = result.failure;
    println(io.stderr, `${c.red('✗')} ${f.migrationId} failed and was rolled back; the database is at the previous migration.`);
    println(io.stderr, `  file: ${f.path}${f.line === null ? '' : `:${f.line}`}`);
    if (f.statement) println(io.stderr, `  statement: ${f.statement.split('\n').join('\n             ')}`);
    println(io.stderr, `  error: ${f.message}${f.driverCode ? ` (${f.driverCode})` : ''}`);
    println(io.stderr, `  Fix the migration and run \`spine db migrate\` again. [${f.code}]`);
    return ExitCode.FAILED;
  }
  println(
    io.stdout,
    result.applied.length === 0
      ? `${c.green('✓')} ${location} is up to date.`
      : `${c.green('✓')} Applied ${result.applied.length} migration(s) to ${location}; it is up to date.`,
  );
  return ExitCode.OK;
}

/** `spine db …`: migrate and status. */
export function registerDbCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const db = program.command('db').description('Migrations of the database schema');

  db.command('migrate')
    .description('Apply pending migrations, each in its own transaction with its ledger row')
    .option('--tier <tier>', 'highest tier to apply: basic | intermediate | advanced (default: config, else basic)')
    .option('--to <id>', 'stop after this migration id')
    .option('--allow-out-of-order', 'apply pending migrations numbered below applied ones')
    .option('--json', 'print the result as JSON')
    .action(async (options: MigrateOptions, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const tier = options.tier === undefined ? context.tier : parseTier(options.tier);
      const spine = await openSpineDb({ target: context.target });
      try {
        const migrator = new Migrator(spine, { sources: migrationSources(), tier, allowOutOfOrder: options.allowOutOfOrder ?? false });
        const c = colors(io);
        const result = await migrator.migrate({
          ...(options.to === undefined ? {} : { to: options.to }),
          onEvent: (event) => {
            if (options.json || event.type !== 'applied') return;
            const skipped = event.migration.skipped.length > 0 ? ` (${event.migration.skipped.length} statement(s) already in effect)` : '';
            println(io.stdout, `  ${c.green('✓')} ${event.migration.id} ${c.dim(`${event.migration.executionTimeMs} ms`)}${skipped}`);
          },
        });
        if (options.json) {
          printJson(io, { location: spine.location, tier, ...result });
          setExit(result.status === 'ok' ? ExitCode.OK : ExitCode.FAILED);
        } else {
          setExit(printMigrateResult(io, result, spine.location));
        }
      } finally {
        await spine.close();
      }
    });

  db.command('status')
    .description('Show each migration: applied, pending, changed, out-of-order or future')
    .option('--tier <tier>', 'tier to report on (default: config, else basic)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { tier?: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const tier = options.tier === undefined ? context.tier : parseTier(options.tier);
      // Status never writes: a database that does not exist yet is reported as empty, not created.
      const exists = context.target === ':memory:' || existsSync(context.target);
      const spine = await openSpineDb({ target: exists ? context.target : ':memory:', readonly: exists && context.target !== ':memory:' });
      try {
        const report = { ...(await new Migrator(spine, { sources: migrationSources(), tier }).status()), location: context.target, exists };
        if (options.json) {
          printJson(io, report);
          return;
        }
        println(io.stdout, `Database ${report.location} (${report.dialect}, tier ${report.tier})${exists ? '' : ' — does not exist yet'}`);
        println(
          io.stdout,
          table(
            ['migration', 'package', 'version', 'tier', 'state', 'applied at (UTC)', 'ms'],
            report.entries.map((e) => [e.id, e.package, e.version, e.tier, e.state, e.appliedAt, e.executionTimeMs]),
          ),
        );
        const summary = Object.entries(report.counts)
          .filter(([, n]) => n > 0)
          .map(([state, n]) => `${n} ${state}`)
          .join(', ');
        println(io.stdout, summary || 'No migrations.');
      } finally {
        await spine.close();
      }
    });
}
