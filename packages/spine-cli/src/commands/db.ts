import type { Command } from 'commander';
import type { ExitCode as Exit } from '../exit-codes.js';
import type { CliIo } from '../output.js';
import { registerBackupCommands } from './db-backup.js';
import { registerInspectCommands } from './db-inspect.js';
import { registerSchemaCommands } from './db-schema.js';

/** `spine db …`: the database's schema, ledger and backups. */
export function registerDbCommands(program: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const db = program.command('db').description('Migrations, verification and backups of the database schema');
  registerSchemaCommands(db, io, setExit);
  registerInspectCommands(db, io, setExit);
  registerBackupCommands(db, io, setExit);
}
