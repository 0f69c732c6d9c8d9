import type { Command } from 'commander';
import type { ExitCode as Exit } from '../exit-codes.js';
import type { CliIo } from '../output.js';
import { registerArchiveCommands } from './ops-archive.js';
import { registerMaintenanceCommands } from './ops-maintenance.js';
import { registerScratchCommands } from './ops-scratch.js';

/** `spine ops …`: maintenance (seed 000 "Operational Best Practices"), scratch tables and experiments, archives of old captures. */
export function registerOpsCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const ops = program.command('ops').description('Maintenance (analyze, vacuum, sizes, explain), scratch tables and experiments, archive of old captures');
  registerMaintenanceCommands(ops, io, setExit);
  registerScratchCommands(ops, io, setExit);
  registerArchiveCommands(ops, io, setExit);
}
