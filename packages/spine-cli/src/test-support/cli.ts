import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { runCli } from '../main.js';
import type { CliIo } from '../output.js';

/** What one `spine` invocation printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** I/O for an in-process command in `cwd`, without a terminal and with an empty environment, and what it printed. */
export function captureIo(cwd: string): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out = capture();
  const err = capture();
  return { io: { stdout: out.stream, stderr: err.stream, env: {}, cwd }, stdout: out.text, stderr: err.text };
}

/** Runs `spine <args>` in-process in `cwd`, without a terminal and with an empty environment. */
export async function spine(cwd: string, ...args: string[]): Promise<CliRun> {
  const { io, stdout, stderr } = captureIo(cwd);
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** A temporary working directory. */
export function tempCwd(): string {
  return mkdtempSync(join(tmpdir(), 'spine-cli-'));
}

/** Names of the tables of a SQLite file (read-only). */
export function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Runs SQL on a SQLite file with a short-lived connection. */
export function execSql(path: string, statements: string): void {
  const db = new Database(path);
  try {
    db.exec(statements);
  } finally {
    db.close();
  }
}
