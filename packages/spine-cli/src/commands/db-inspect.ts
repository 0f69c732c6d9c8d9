import { ErrorCode, Migrator, SpineError, db2Plan, migratorOptionsFromConfig, openSpineDb, parseTier } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, databaseExists, migrationSources, migratorOptions } from '../context.js';
import type { CommandContext, GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';
import { printRefusal, printVerify } from './db-report.js';

/**
 * Opens the database for a command that only reads the ledger. A database
 * that does not exist yet is read as an empty one (everything pending) and
 * never created.
 */
export async function openForInspection(context: CommandContext): Promise<{ db: SpineDb; exists: boolean }> {
  const exists = databaseExists(context);
  // Read-only: a server schema that does not exist yet reads as empty and is not created (it is, by `migrate`).
  const db = await openSpineDb({ target: exists ? context.target : ':memory:', readonly: exists && context.target !== ':memory:' });
  return { db, exists };
}

/**
 * `spine db plan --dialect db2`: DB2 is DDL output only (seed 003), so the
 * plan is every migration of the configuration, written for a new DB2
 * database, with the ledger DDL and rows; nothing is opened.
 */
function printDb2Plan(io: CliIo, context: CommandContext, options: { to?: string; tier?: string; json?: boolean; dialect?: string }): void {
  if (options.dialect !== 'db2') {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--dialect ${options.dialect} is not a DDL-only dialect.`, {
      hint: 'Use --dialect db2; SQLite and PostgreSQL plans come from the database itself (--db).',
    });
  }
  const { tier, features } = migratorOptionsFromConfig(context.loaded.config, []);
  const sources = migrationSources();
  const planTier = options.tier === undefined ? tier : parseTier(options.tier);
  const plan = db2Plan({ sources, ...(planTier === undefined ? {} : { tier: planTier }), ...(features === undefined ? {} : { features }), ...(options.to === undefined ? {} : { to: options.to }) });
  if (options.json) return printJson(io, { dialect: 'db2', tier: planTier ?? 'basic', statements: plan.statements, script: plan.script });
  io.stdout.write(plan.script);
}

/** `spine db status | plan | validate | verify`: read-only looks at the schema and the ledger. */
export function registerInspectCommands(db: Command, io: CliIo, setExit: (code: Exit) => void): void {
  db.command('status')
    .description("Each migration, like Flyway's info: applied, pending, changed, out-of-order, missing or future")
    .option('--tier <tier>', 'tier to report on (default: config, else basic)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { tier?: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const { db: spine, exists } = await openForInspection(context);
      try {
        const report = { ...(await new Migrator(spine, await migratorOptions(context, spine, options)).status()), location: context.target, exists };
        if (options.json) return printJson(io, report);
        println(io.stdout, `Database ${report.location} (${report.dialect}, tier ${report.tier})${exists ? '' : ' — does not exist yet'}`);
        println(
          io.stdout,
          table(
            ['migration', 'package', 'version', 'tier', 'state', 'applied at (UTC)', 'ms'],
            report.entries.map((e) => [e.id, e.package, e.version, e.tier, e.kind === 'baseline' ? `${e.state} (baseline)` : e.state, e.appliedAt, e.executionTimeMs]),
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

  db.command('plan')
    .description('What `migrate` would run, in order, with the SQL and whether each runs in a transaction (changes nothing)')
    .option('--to <id>', 'stop after this migration id')
    .option('--tier <tier>', 'highest tier (default: config, else basic)')
    .option('--allow-out-of-order', 'plan out-of-order migrations too')
    .option('--json', 'print the plan as JSON')
    .option('--dialect <dialect>', 'db2: print the DB2 DDL of every migration of the configuration, for a new DB2 database (no connection)')
    .action(async (options: { to?: string; tier?: string; allowOutOfOrder?: boolean; json?: boolean; dialect?: string }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      if (options.dialect !== undefined) return printDb2Plan(io, context, options);
      const { db: spine } = await openForInspection(context);
      try {
        const plan = { ...(await new Migrator(spine, await migratorOptions(context, spine, options)).plan(options.to === undefined ? {} : { to: options.to })), location: context.target };
        setExit(plan.refusal ? ExitCode.FAILED : ExitCode.OK);
        if (options.json) return printJson(io, plan);
        const c = colors(io);
        if (plan.refusal) printRefusal(io, plan.refusal);
        if (plan.migrations.length === 0) return println(io.stdout, `Nothing to apply to ${plan.location}.`);
        println(io.stdout, `Plan for ${plan.location} (${plan.dialect}, tier ${plan.tier}): ${plan.migrations.length} migration(s), in this order.`);
        for (const [i, m] of plan.migrations.entries()) {
          const mode = m.rebuild ? `table rebuild of ${m.rebuild}, one transaction` : m.transactional ? 'one transaction' : 'no transaction (each statement commits)';
          println(io.stdout, '');
          println(io.stdout, c.bold(`${i + 1}. ${m.id}`) + c.dim(` — ${m.description}; ${mode}; ${m.path}`));
          for (const s of m.statements) println(io.stdout, `${c.dim(String(s.line).padStart(4))}  ${s.text.split('\n').join('\n      ')};`);
        }
      } finally {
        await spine.close();
      }
    });

  db.command('validate')
    .description('Exit 1 when an applied script changed, a file is missing, the database is newer, or a pending migration is out of order')
    .option('--allow-out-of-order', 'accept pending migrations numbered below applied ones')
    .option('--json', 'print the result as JSON')
    .action(async (options: { allowOutOfOrder?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const { db: spine } = await openForInspection(context);
      try {
        const result = await new Migrator(spine, await migratorOptions(context, spine, options)).validate();
        setExit(result.status === 'valid' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'valid') {
          println(io.stdout, `${c.green('✓')} ${context.target}: every applied migration matches its script; ${result.report.counts.pending} pending.`);
          return;
        }
        for (const p of result.problems) println(io.stdout, `${c.red('✗')} ${p.message}`);
      } finally {
        await spine.close();
      }
    });

  db.command('verify')
    .description('Integrity and foreign-key checks, applied checksums, and drift: the live schema against what the applied migrations create')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      if (!databaseExists(context)) {
        throw new SpineError(ErrorCode.DB_OPEN_FAILED, `No database at ${context.target}.`, { hint: 'Check --db / SPINE_DB.' });
      }
      const { db: spine } = await openForInspection(context);
      try {
        const result = await new Migrator(spine, await migratorOptions(context, spine)).verify();
        setExit(result.status === 'ok' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, result);
        printVerify(io, result);
      } finally {
        await spine.close();
      }
    });
}
