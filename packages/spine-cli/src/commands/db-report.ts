import type { MigrationFailure, Refusal, SafetyBackup, VerifyResult } from '@market-spine/core';
import { colors, println } from '../output.js';
import type { CliIo } from '../output.js';

/** Prints why nothing was done, what to do, and the code. */
export function printRefusal(io: CliIo, refusal: Refusal): void {
  const c = colors(io, 'stderr');
  println(io.stderr, `${c.red('✗')} ${refusal.message}`);
  if (refusal.hint) println(io.stderr, `  ${refusal.hint}`);
  println(io.stderr, `  [${refusal.code}]`);
}

/** Prints a failed migration or rollback: the migration, file and line, statement and the database's message. */
export function printFailure(io: CliIo, failure: MigrationFailure, what: 'migration' | 'rollback', backup: SafetyBackup | null): void {
  const c = colors(io, 'stderr');
  println(io.stderr, `${c.red('✗')} ${failure.migrationId}: the ${what} failed and was rolled back; the database is as it was before it.`);
  println(io.stderr, `  file: ${failure.path}${failure.line === null ? '' : `:${failure.line}`}`);
  if (failure.statement) println(io.stderr, `  statement: ${failure.statement.split('\n').join('\n             ')}`);
  println(io.stderr, `  error: ${failure.message}${failure.driverCode ? ` (${failure.driverCode})` : ''}`);
  if (backup) println(io.stderr, `  A backup taken before the run: ${backup.backup.path}`);
  println(io.stderr, `  Fix the script and run the command again. [${failure.code}]`);
}

/** Prints a safety backup (seed 004 phase 0). */
export function printBackup(io: CliIo, backup: SafetyBackup | null): void {
  if (!backup) return;
  const c = colors(io);
  println(io.stdout, `${c.green('✓')} Backup ${backup.backup.path} (integrity ok, ${backup.backup.bytes.toLocaleString('en-US')} bytes)`);
  for (const path of backup.pruned) println(io.stdout, `  removed old backup ${path} (retention policy)`);
}

/** Prints verification results; returns true when all passed. */
export function printVerify(io: CliIo, result: VerifyResult): boolean {
  const c = colors(io);
  for (const check of result.checks) {
    const mark = check.status === 'ok' ? c.green('✓') : c.red('✗');
    println(io.stdout, `${mark} ${check.name}: ${check.detail}`);
    for (const problem of check.problems.slice(0, 20)) println(io.stdout, `    - ${problem}`);
    if (check.problems.length > 20) println(io.stdout, `    … and ${check.problems.length - 20} more (--json lists all)`);
  }
  return result.status === 'ok';
}
