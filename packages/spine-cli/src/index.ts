export { CLI_VERSION, runCli } from './main.js';
export { ExitCode, exitCodeFor } from './exit-codes.js';
export type { CliIo } from './output.js';
