import type { SpineDb } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, openForCommand } from '../context.js';
import type { GlobalOptions } from '../context.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import type { CliIo } from '../output.js';
import { registerArchiveCommands } from './ops-archive.js';
import { registerMaintenanceCommands } from './ops-maintenance.js';
import { registerScratchCommands } from './ops-scratch.js';

/**
 * Opens the command's database (read-only for `read`; the version guard and
 * the migration check of every data command apply), runs `fn`, closes it.
 */
export async function withDatabase<T>(command: Command, io: CliIo, mode: 'read' | 'write', fn: (db: SpineDb) => Promise<T>): Promise<T> {
  const db = await openForCommand(commandContext(command.optsWithGlobals<GlobalOptions>(), io), mode, io);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** `spine ops …`: maintenance (seed 000 "Operational Best Practices"), scratch tables and experiments, archives of old captures. */
export function registerOpsCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const ops = program.command('ops').description('Maintenance (analyze, vacuum, sizes, explain), scratch tables and experiments, archive of old captures');
  registerMaintenanceCommands(ops, io, setExit);
  registerScratchCommands(ops, io, setExit);
  registerArchiveCommands(ops, io, setExit);
}
