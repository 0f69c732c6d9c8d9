import { ErrorCode, Migrator, SpineError, bundleGuard, bundleMigratorOptions, openSpineDb, readLedger, safetyBackup, backupDirectory } from '@market-spine/core';
import type { BundleManifest, LoadedMigration, MigrationPlan, MigratorOptions, Refusal, SafetyBackup, SpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { confirm } from '../confirm.js';
import { commandContext, migrationSources, migratorOptions } from '../context.js';
import type { CommandContext, GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println } from '../output.js';
import type { CliIo } from '../output.js';
import { copyProgress } from '../progress.js';
import { verifiedBundle } from './bundle.js';
import { openForInspection } from './db-inspect.js';
import { printBackup, printFailure, printRefusal, printVerify } from './db-report.js';

interface ChangeOptions {
  yes?: boolean;
  backup?: boolean;
  json?: boolean;
}

/** A `beforeApply` hook taking the safety backup the config asks for, with a progress bar; `taken()` says what it did. */
function backupHook(io: CliIo, db: SpineDb, context: CommandContext, options: ChangeOptions, label: (range: readonly LoadedMigration[]) => string) {
  let taken: SafetyBackup | null = null;
  const config = context.loaded.config.database;
  return {
    taken: () => taken,
    beforeApply: async (range: readonly LoadedMigration[]) => {
      if (options.backup === false || !config.migration.create_backup) return;
      const progress = copyProgress(io, !options.json, 'backup');
      try {
        taken = await safetyBackup(
          db,
          { directory: backupDirectory(context.loaded.config, db.location), retentionDays: config.backup.retention_days, maxBackups: config.backup.max_backups, onProgress: progress.onProgress },
          label(range),
        );
      } finally {
        progress.stop();
      }
      if (!options.json) printBackup(io, taken);
    },
  };
}

/**
 * The migrator options of `spine db migrate`: the configuration's, or with
 * `--bundle` exactly the bundle's migrations of the market-data packages,
 * recorded with the bundle's id and package versions.
 */
async function migrateOptions(context: CommandContext, db: SpineDb, options: { tier?: string; allowOutOfOrder?: boolean }, bundle: BundleManifest | null): Promise<MigratorOptions> {
  const base = await migratorOptions(context, db, options);
  return bundle === null ? base : bundleMigratorOptions(bundle, db.dialectName, { ...base, sources: migrationSources() });
}

/** `spine db migrate | rollback | baseline | repair`: the commands that change the schema or the ledger. */
export function registerSchemaCommands(db: Command, io: CliIo, setExit: (code: Exit) => void): void {
  db.command('migrate')
    .description('Apply pending migrations, each in its own transaction with its ledger row (backup before, verify after)')
    .option('--tier <tier>', 'highest tier to apply: basic | intermediate | advanced (default: config, else basic)')
    .option('--to <id>', 'stop after this migration id')
    .option('--allow-out-of-order', 'apply pending migrations numbered below applied ones')
    .option('--bundle <dir>', 'apply exactly this quarterly bundle (e.g. migrations/2026_q4), verified first; refused when already applied or when the previous bundle is missing')
    .option('--no-backup', 'skip the safety backup (migration.create_backup)')
    .option('--no-verify', 'skip the verification after migrating (migration.verify_after)')
    .option('-y, --yes', 'confirm without asking (migration.require_confirmation)')
    .option('--json', 'print the result as JSON')
    .action(async (options: ChangeOptions & { tier?: string; to?: string; allowOutOfOrder?: boolean; verify?: boolean; bundle?: string }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const config = context.loaded.config.database;
      if (options.bundle !== undefined && (options.to !== undefined || options.tier !== undefined)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, '--bundle applies the whole bundle at its own tier; it cannot be combined with --to or --tier.', { hint: 'Drop --to / --tier, or migrate without --bundle.' });
      }
      const bundle = options.bundle === undefined ? null : await verifiedBundle(io, options.bundle);
      // Plan and confirm before opening the real database, so a "no" leaves nothing behind (not even a new file).
      const inspection = await openForInspection(context);
      let plan: MigrationPlan;
      let guarded: Refusal | null = null;
      try {
        if (bundle) guarded = bundleGuard(bundle, inspection.db.dialectName)(await readLedger(inspection.db));
        plan = await new Migrator(inspection.db, await migrateOptions(context, inspection.db, options, bundle)).plan(options.to === undefined ? {} : { to: options.to });
      } finally {
        await inspection.db.close();
      }
      // A bundle the database cannot take is refused here, before the database is opened for writing (or created).
      if (guarded) {
        if (options.json) printJson(io, { location: context.target, bundle: bundle?.bundle, ...guarded });
        else printRefusal(io, guarded);
        setExit(ExitCode.FAILED);
        return;
      }
      if (plan.migrations.length > 0 && !plan.refusal) {
        const go = await confirm(io, `Apply ${plan.migrations.length} migration(s) to ${context.target}?`, { required: config.migration.require_confirmation, yes: options.yes ?? false });
        if (!go) {
          println(io.stderr, 'Cancelled; nothing applied.');
          setExit(ExitCode.FAILED);
          return;
        }
      }
      const spine = await openSpineDb({ target: context.target });
      const c = colors(io);
      try {
        const migrator = new Migrator(spine, await migrateOptions(context, spine, options, bundle));
        const hook = backupHook(io, spine, context, options, (range) => (bundle ? `pre-bundle-${bundle.bundle}` : `pre-migrate-${range.at(-1)?.id ?? 'head'}`));
        const result = await migrator.migrate({
          ...(options.to === undefined ? {} : { to: options.to }),
          ...(bundle ? { guard: bundleGuard(bundle, spine.dialectName) } : {}),
          beforeApply: hook.beforeApply,
          onEvent: (event) => {
            if (options.json) return;
            if (event.type === 'waiting-for-lock') println(io.stderr, `… waiting for the migration lock held by ${event.holder}`);
            if (event.type === 'applied') {
              const skipped = event.migration.skipped.length > 0 ? ` (${event.migration.skipped.length} statement(s) already in effect)` : '';
              println(io.stdout, `  ${c.green('✓')} ${event.migration.id} ${c.dim(`${event.migration.executionTimeMs} ms`)}${skipped}`);
            }
          },
        });
        const verifyWanted = result.status === 'ok' && result.applied.length > 0 && options.verify !== false && config.migration.verify_after;
        const verification = verifyWanted ? await migrator.verify() : null;
        if (options.json) {
          printJson(io, { location: spine.location, tier: plan.tier, ...(bundle ? { bundle: bundle.bundle } : {}), backup: hook.taken(), ...result, verification });
        } else if (result.status === 'refused') {
          printRefusal(io, result);
        } else if (result.status === 'failed') {
          printFailure(io, result.failure, 'migration', hook.taken());
        } else {
          const from = bundle ? ` of bundle ${bundle.bundle}` : '';
          println(io.stdout, result.applied.length === 0 ? `${c.green('✓')} ${spine.location} is up to date.` : `${c.green('✓')} Applied ${result.applied.length} migration(s)${from} to ${spine.location}.`);
          if (verification && !printVerify(io, verification)) {
            const backup = hook.taken();
            println(io.stderr, `Verification failed after migrating.${backup ? ` Restore the backup with: spine db restore ${backup.backup.path}` : ''}`);
          }
        }
        setExit(result.status === 'ok' && verification?.status !== 'failed' ? ExitCode.OK : ExitCode.FAILED);
      } finally {
        await spine.close();
      }
    });

  db.command('rollback')
    .description('Undo applied migrations with their down scripts, newest first, each atomic (backup before)')
    .option('--to <id>', 'undo every migration applied after this one')
    .option('--steps <n>', 'undo the last n migrations')
    .option('--no-backup', 'skip the safety backup (migration.create_backup)')
    .option('-y, --yes', 'confirm without asking (migration.require_confirmation)')
    .option('--json', 'print the result as JSON')
    .action(async (options: ChangeOptions & { to?: string; steps?: string }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const spine = await openSpineDb({ target: context.target });
      const c = colors(io);
      try {
        const migrator = new Migrator(spine, await migratorOptions(context, spine));
        const go = await confirm(io, `Roll back ${options.steps === undefined ? `to ${String(options.to)}` : `${options.steps} migration(s)`} on ${spine.location}? Down scripts drop tables and their data.`, {
          required: context.loaded.config.database.migration.require_confirmation,
          yes: options.yes ?? false,
        });
        if (!go) {
          println(io.stderr, 'Cancelled; nothing undone.');
          setExit(ExitCode.FAILED);
          return;
        }
        const hook = backupHook(io, spine, context, options, (range) => `pre-rollback-${range.at(-1)?.id ?? 'head'}`);
        const result = await migrator.rollback({
          ...(options.to === undefined ? {} : { to: options.to }),
          ...(options.steps === undefined ? {} : { steps: Number(options.steps) }),
          beforeApply: hook.beforeApply,
          onEvent: (event) => {
            if (!options.json && event.type === 'rolled-back') println(io.stdout, `  ${c.green('↶')} ${event.migration.id} ${c.dim(`${event.migration.executionTimeMs} ms`)}`);
          },
        });
        if (options.json) printJson(io, { location: spine.location, backup: hook.taken(), ...result });
        else if (result.status === 'refused') printRefusal(io, result);
        else if (result.status === 'failed') printFailure(io, result.failure, 'rollback', hook.taken());
        else println(io.stdout, `${c.green('✓')} Rolled back ${result.rolledBack.length} migration(s) on ${spine.location}.`);
        setExit(result.status === 'ok' ? ExitCode.OK : ExitCode.FAILED);
      } finally {
        await spine.close();
      }
    });

  db.command('baseline')
    .description('Adopt a database built without the ledger: record migrations up to <id> as applied, after checking their objects exist')
    .requiredOption('--to <id>', 'the last migration the existing schema already contains')
    .option('-y, --yes', 'confirm without asking (migration.require_confirmation)')
    .option('--json', 'print the result as JSON')
    .action(async (options: ChangeOptions & { to: string }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const spine = await openSpineDb({ target: context.target });
      try {
        const go = await confirm(io, `Record the migrations up to ${options.to} as applied on ${spine.location}?`, {
          required: context.loaded.config.database.migration.require_confirmation,
          yes: options.yes ?? false,
        });
        if (!go) {
          setExit(ExitCode.FAILED);
          return;
        }
        const result = await new Migrator(spine, await migratorOptions(context, spine)).baseline({ to: options.to });
        if (options.json) printJson(io, result);
        else if (result.status === 'refused') printRefusal(io, result);
        else println(io.stdout, `${colors(io).green('✓')} Baselined ${result.baselined.length} migration(s): ${result.baselined.join(', ')}.`);
        setExit(result.status === 'ok' ? ExitCode.OK : ExitCode.FAILED);
      } finally {
        await spine.close();
      }
    });

  db.command('repair')
    .description('Re-record the checksum of ONE applied migration whose script was edited harmlessly, keeping the reason')
    .argument('<id>', 'migration id, e.g. core/basic/0001_core_executions')
    .requiredOption('--reason <text>', 'why the applied script changed')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { reason: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const spine = await openSpineDb({ target: context.target });
      try {
        const result = await new Migrator(spine, await migratorOptions(context, spine)).repair(id, options.reason);
        if (options.json) printJson(io, result);
        else if (result.status === 'refused') printRefusal(io, result);
        else if (result.status === 'unchanged') println(io.stdout, `${id} already has the checksum of its script; nothing to repair.`);
        else println(io.stdout, `${colors(io).green('✓')} ${id}: checksum ${result.previousChecksum.slice(0, 12)}… → ${result.checksum.slice(0, 12)}… (reason logged).`);
        setExit(result.status === 'refused' ? ExitCode.FAILED : ExitCode.OK);
      } finally {
        await spine.close();
      }
    });
}
