import Table from 'cli-table3';
import pc from 'picocolors';
import type { Readable, Writable } from 'node:stream';

/** Where a command reads answers and writes: results to `stdout`, progress and diagnostics to `stderr`. */
export interface CliIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  /** For confirmations; without a terminal here, commands that need one ask for `--yes`. */
  readonly stdin?: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Writes a line. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

/** Writes a value as pretty JSON (the `--json` output of read commands). */
export function printJson(io: CliIo, value: unknown): void {
  println(io.stdout, JSON.stringify(value, null, 2));
}

/** Colours for a stream: none when it is not a terminal or NO_COLOR is set (no-color.org). */
export function colors(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout') {
  return pc.createColors(Boolean(io[stream].isTTY) && !io.env.NO_COLOR);
}

/** Renders rows as a table with the given headers; numbers are right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const t = new Table({
    head: [...headers],
    style: { head: [], border: [] },
    colAligns: headers.map((_, i) => (rows.some((r) => typeof r[i] === 'number') ? 'right' : 'left')),
  });
  for (const row of rows) t.push(row.map((cell) => (cell === null || cell === undefined ? '' : typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)));
  return t.toString();
}

/** A byte count for people: 1.5 MB, 300 KB. */
export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A fraction 0–1 as a percentage with `digits` decimals, e.g. 0.8219 → "82.19 %". */
export function percent(fraction: number | null, digits = 2): string {
  return fraction === null ? '' : `${(fraction * 100).toFixed(digits)} %`;
}
