import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorMessage, isSpineError } from '@market-spine/core';
import { registerBundleCommands } from './commands/bundle.js';
import { registerCalcsCommands } from './commands/calcs.js';
import { registerDbCommands } from './commands/db.js';
import { registerFinraCommands } from './commands/finra.js';
import { registerOpsCommands } from './commands/ops.js';
import { registerQualityCommands } from './commands/quality.js';
import { registerRiskCommands } from './commands/risk.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { ExitCode as Exit } from './exit-codes.js';
import { colors, println } from './output.js';
import type { CliIo } from './output.js';

/** Version printed by `spine --version`: this package's, as changesets set it (`package.json` is beside `src/` and `dist/`). */
export const CLI_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Runs `spine` with the given arguments (without `node` and the script) and
 * returns the exit code instead of exiting, so it can run in-process in tests.
 * Expected failures print what happened and what to do, with a stable code.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<Exit> {
  let exit: Exit = ExitCode.OK;
  const setExit = (code: Exit) => {
    exit = code;
  };
  const program = new Command('spine')
    .description('Market Spine: migrate and operate a market-data database; load FINRA OTC transparency data.')
    .version(CLI_VERSION)
    .option('--db <path>', 'database: SQLite file (default: $SPINE_DB, the config, else ./spine.db)')
    .option('--config <file>', 'config file (default: ./spine.config.yaml when present)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerDbCommands(program, io, setExit);
  registerFinraCommands(program, io, setExit);
  registerQualityCommands(program, io, setExit);
  registerOpsCommands(program, io, setExit);
  registerCalcsCommands(program, io, setExit);
  registerRiskCommands(program, io, setExit);
  registerBundleCommands(program, io, setExit);

  try {
    await program.parseAsync([...args], { from: 'user' });
    return exit;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const c = colors(io, 'stderr');
    if (isSpineError(error)) {
      println(io.stderr, `${c.red('✗')} ${error.message}`);
      if (error.hint) println(io.stderr, `  ${error.hint}`);
      println(io.stderr, `  [${error.code}]`);
      return exitCodeFor(error.code);
    }
    println(io.stderr, `${c.red('✗')} Unexpected error: ${errorMessage(error)}`);
    if (io.env.SPINE_DEBUG && error instanceof Error && error.stack) println(io.stderr, error.stack);
    else println(io.stderr, '  Set SPINE_DEBUG=1 for the stack trace, and report it if it persists.');
    return ExitCode.INTERNAL;
  }
}
