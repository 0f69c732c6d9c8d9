import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, Migrator, SpineError, backupDirectory, databaseBackups, openSpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { confirm } from '../confirm.js';
import { commandContext, databaseExists, migratorOptions } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { bytes, colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';
import { copyProgress } from '../progress.js';

/** `spine db backup | backups | restore`: seed 004's backup, and its rollback by restore. */
export function registerBackupCommands(db: Command, io: CliIo, setExit: (code: Exit) => void): void {
  db.command('backup')
    .description('Online backup, verified (integrity, size), into the backup directory; applies the retention policy')
    .option('--label <label>', 'what the backup is for, in its file name', 'manual')
    .option('--json', 'print the backup as JSON')
    .action(async (options: { label: string; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      if (!databaseExists(context)) throw new SpineError(ErrorCode.DB_OPEN_FAILED, `No database at ${context.target}.`, { hint: 'Check --db / SPINE_DB.' });
      const progress = copyProgress(io, !options.json, 'backup');
      try {
        const backups = databaseBackups(context.target);
        const directory = backupDirectory(context.loaded.config, context.target);
        const backup = await backups.create({ directory, label: options.label, onProgress: progress.onProgress });
        progress.stop();
        const config = context.loaded.config.database.backup;
        const pruned = await backups.prune(directory, { retentionDays: config.retention_days, maxBackups: config.max_backups });
        if (options.json) return printJson(io, { backup, pruned });
        println(io.stdout, `${colors(io).green('✓')} ${backup.path}: ${bytes(backup.bytes)}, integrity ok, ${backup.ledger.migrations} migration(s) applied${backup.ledger.head ? ` (newest ${backup.ledger.head})` : ''}.`);
        for (const path of pruned) println(io.stdout, `  removed ${path} (retention: ${config.retention_days} days, ${config.max_backups} backups)`);
      } finally {
        progress.stop();
      }
    });

  db.command('backups')
    .description('Backups of this database, newest first')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const directory = backupDirectory(context.loaded.config, context.target);
      // Listing reads the backup files only; the database itself may be corrupt or gone.
      const list = await databaseBackups(context.target).list(directory);
      if (options.json) return printJson(io, { directory, backups: list });
      if (list.length === 0) return println(io.stdout, `No backups of ${context.target} in ${directory}.`);
      println(
        io.stdout,
        table(
          ['backup', 'created (UTC)', 'label', 'size', 'migrations', 'newest migration'],
          list.map((b) => [b.path, b.createdAt, b.label, bytes(b.bytes), b.ledger?.migrations ?? b.error ?? null, b.ledger?.head ?? null]),
        ),
      );
    });

  db.command('restore')
    .description('Put a backup back: verify it, move the current database aside as *.failed_<timestamp>, restore, show the result')
    .argument('<backup>', 'backup file (a name from `spine db backups`, or a path)')
    .option('-y, --yes', 'confirm without asking')
    .option('--json', 'print the result as JSON')
    .action(async (backupArg: string, options: { yes?: boolean; json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      const directory = backupDirectory(context.loaded.config, context.target);
      const candidate = isAbsolute(backupArg) ? backupArg : resolve(io.cwd, backupArg);
      const backupPath = existsSync(candidate) ? candidate : resolve(directory, backupArg);
      const go = await confirm(io, `Replace ${context.target} with ${backupPath}? The current file is kept as *.failed_<timestamp>.`, {
        required: context.loaded.config.database.migration.require_confirmation,
        yes: options.yes ?? false,
      });
      if (!go) {
        setExit(ExitCode.FAILED);
        return;
      }
      // No connection of this process may be open on the database while it is replaced.
      const result = await databaseBackups(context.target).restore(backupPath);
      const spine = await openSpineDb({ target: context.target, readonly: true });
      try {
        const status = await new Migrator(spine, await migratorOptions(context, spine)).status();
        if (options.json) return printJson(io, { ...result, status });
        const c = colors(io);
        println(io.stdout, `${c.green('✓')} Restored ${context.target} from ${result.restoredFrom} (integrity ok).`);
        if (result.movedAside) println(io.stdout, `  The database it replaced is at ${result.movedAside}.`);
        println(io.stdout, `  Now: ${result.ledger.migrations} migration(s) applied${result.ledger.head ? `, newest ${result.ledger.head}` : ''}; ${status.counts.pending} pending for this build.`);
      } finally {
        await spine.close();
      }
    });
}
