import { rollbackRiskDatabase, upgradeRiskDatabase } from '@market-spine/domains-risk';
import type { RiskUpgradeEvent, RiskUpgradeResult } from '@market-spine/domains-risk';
import type { Command } from 'commander';
import { confirm } from '../confirm.js';
import { commandContext } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { bytes, colors, printJson, println } from '../output.js';
import type { CliIo } from '../output.js';

const PHASE_DONE: Record<number, string> = { 1: 'Core migration successful', 2: 'Analytics indexes created', 3: 'Optional table created' };

/** Seed 004's messages, printed as the upgrade goes. */
function printEvent(io: CliIo, event: RiskUpgradeEvent): void {
  const c = colors(io);
  switch (event.type) {
    case 'checked':
      println(io.stdout, `Database schema v${event.state.version}; ${event.state.v1Tables.present.length} of 9 v1 tables; no other process holds it.`);
      break;
    case 'backup':
      println(io.stdout, `${c.green('✓')} Backup created: ${event.backup.path} (integrity ok, ${bytes(event.backup.bytes)})`);
      for (const path of event.pruned) println(io.stdout, `  removed old backup ${path} (retention policy)`);
      break;
    case 'baselined':
      println(io.stdout, `${c.green('✓')} v1 schema adopted as the baseline (${event.migrations.join(', ')}; no row changed)`);
      break;
    case 'phase':
      if (event.outcome === 'applied') println(io.stdout, `${c.green('✓')} ${PHASE_DONE[event.phase]} (${event.ms}ms)`);
      else if (event.outcome === 'skipped') println(io.stdout, `${c.dim('⊘')} Optional daily_unrealized_pnl table skipped (disabled in config)`);
      else println(io.stdout, `${c.dim('·')} Phase ${event.phase} already applied`);
      break;
    case 'verified':
      if (event.verification.ok) println(io.stdout, `${c.green('✓')} Migration verification successful`);
      else {
        println(io.stdout, `${c.red('✗')} Migration verification failed:`);
        for (const problem of event.verification.problems) println(io.stdout, `  - ${problem}`);
      }
      for (const warning of event.verification.warnings) println(io.stdout, `  ${c.yellow('!')} ${warning} (v1 table as the older tool made it)`);
      break;
    case 'restored':
      println(io.stdout, `${c.yellow('↺')} Restored ${event.restore.restoredFrom}; the failed database is kept as ${event.restore.movedAside ?? '(none)'}`);
      break;
  }
}

/** Why nothing was done, what to do, and the code; the exit code follows the error code. */
function printRefused(io: CliIo, refusal: { readonly code: string; readonly message: string; readonly hint: string }, setExit: (code: Exit) => void): void {
  const e = colors(io, 'stderr');
  println(io.stderr, `${e.red('✗')} ${refusal.message}`);
  if (refusal.hint) println(io.stderr, `  ${refusal.hint}`);
  println(io.stderr, `  [${refusal.code}]`);
  setExit(exitCodeFor(refusal.code));
}

function finish(io: CliIo, result: RiskUpgradeResult, setExit: (code: Exit) => void): void {
  const c = colors(io);
  switch (result.status) {
    case 'upgraded':
    case 'current':
      println(io.stdout, `${c.green('✓')} Database schema v${result.version} (current)${result.status === 'current' ? '; nothing to do' : ''}`);
      setExit(ExitCode.OK);
      return;
    case 'planned':
      println(io.stdout, `Plan (dry run; nothing changed), from schema v${result.fromVersion}:`);
      for (const [i, step] of result.steps.entries()) {
        println(io.stdout, `${i + 1}. ${step.phase ? `phase ${step.phase}` : step.step}: ${step.description}${step.migrationId ? c.dim(` — ${step.migrationId}`) : ''}`);
        if (step.sql) println(io.stdout, c.dim(step.sql.trim().split('\n').map((line) => `     ${line}`).join('\n')));
      }
      setExit(ExitCode.OK);
      return;
    case 'refused':
      printRefused(io, result, setExit);
      return;
    case 'failed': {
      const e = colors(io, 'stderr');
      println(io.stderr, `${e.red('✗')} The upgrade failed at ${typeof result.stage === 'number' ? `phase ${result.stage}` : result.stage}: ${result.message}`);
      println(
        io.stderr,
        result.restored
          ? `  The backup ${result.backup.path} was restored: the database is as it was before the upgrade.`
          : `  Restoring the backup ${result.backup.path} failed (${result.restoreError}); restore it with \`spine db restore ${result.backup.path}\`.`,
      );
      setExit(ExitCode.FAILED);
      return;
    }
  }
}

/** `spine risk upgrade | rollback`: seed 004's runbook for the risk manager's state database. */
export function registerRiskCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const risk = program.command('risk').description("The risk manager's state database (seeds 002/004): v1 → v2 upgrade and rollback");

  risk
    .command('upgrade')
    .description('Seed 004 phases 0–4 in one command: check, back up, adopt v1, phases 1–3, verify; restores the backup on any failure')
    .option('--dry-run', 'show the plan; change nothing')
    .option('-y, --yes', 'confirm without asking (migration.require_confirmation)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dryRun?: boolean; yes?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const config = context.loaded.config;
      if (!options.dryRun) {
        const plan = await upgradeRiskDatabase({ path: context.target, config, dryRun: true });
        if (plan.status === 'planned') {
          const go = await confirm(io, `Upgrade ${context.target} from schema v${plan.fromVersion} to v2?`, { required: config.database.migration.require_confirmation, yes: options.yes ?? false });
          if (!go) {
            println(io.stderr, 'Cancelled; nothing changed.');
            setExit(ExitCode.FAILED);
            return;
          }
        }
      }
      const result = await upgradeRiskDatabase({ path: context.target, config, dryRun: options.dryRun ?? false, ...(options.json ? {} : { onEvent: (e) => printEvent(io, e) }) });
      if (options.json) {
        printJson(io, result);
        setExit(result.status === 'refused' ? exitCodeFor(result.code) : result.status === 'failed' ? ExitCode.FAILED : ExitCode.OK);
        return;
      }
      finish(io, result, setExit);
    });

  risk
    .command('rollback')
    .description('Seed 004 scenario 2: put the newest pre-v2 backup back (the current database is kept aside) and show the result')
    .option('--backup <file>', 'restore this backup instead of the newest pre-v2 one')
    .option('-y, --yes', 'confirm without asking (migration.require_confirmation)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { backup?: string; yes?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const config = context.loaded.config;
      const go = await confirm(io, `Replace ${context.target} with its pre-v2 backup?`, { required: config.database.migration.require_confirmation, yes: options.yes ?? false });
      if (!go) {
        println(io.stderr, 'Cancelled; nothing changed.');
        setExit(ExitCode.FAILED);
        return;
      }
      const result = await rollbackRiskDatabase({ path: context.target, config, ...(options.backup === undefined ? {} : { backup: options.backup }) });
      if (options.json) {
        printJson(io, result);
        setExit(result.status === 'refused' ? exitCodeFor(result.code) : ExitCode.OK);
        return;
      }
      if (result.status === 'refused') {
        printRefused(io, result, setExit);
        return;
      }
      const c = colors(io);
      println(io.stdout, `${c.green('✓')} Restored ${context.target} from ${result.backup.path} (integrity ok).`);
      println(io.stdout, `  The database it replaced is at ${result.restore.movedAside ?? '(none)'}.`);
      println(io.stdout, `  Now: schema v${result.state.version}; tables: ${result.state.v1Tables.present.join(', ')}${result.state.schemaVersionTable === 'none' ? '; no schema_version (v1)' : ''}.`);
      setExit(ExitCode.OK);
    });
}
