#!/usr/bin/env node
import { runCli } from './main.js';

// A reader that stops early (`spine finra weeks | head`) must not crash the
// command or interrupt its work: further output is dropped, the work completes.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
