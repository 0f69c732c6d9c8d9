import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { runCli } from '../main.js';

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

/** Runs `spine <args>` in-process in `cwd`, without a terminal and with an empty environment. */
export async function spine(cwd: string, ...args: string[]): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: {}, cwd });
  return { code, stdout: out.text(), stderr: err.text() };
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
