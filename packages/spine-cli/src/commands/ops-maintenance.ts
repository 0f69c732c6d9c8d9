import { analyzeTables, databaseSizes, explainStatement, vacuumDatabase } from '@market-spine/core';
import type { Command } from 'commander';
import { withDatabase } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { bytes, colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

/** `spine ops analyze | vacuum | sizes | explain`. */
export function registerMaintenanceCommands(ops: Command, io: CliIo, setExit: (code: Exit) => void): void {
  ops
    .command('analyze')
    .description("Refresh the query planner's statistics of one table, or of every table (ANALYZE)")
    .argument('[table]', 'the table (default: every table)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string | undefined, options: { json?: boolean }, command: Command) =>
      withDatabase(command, io, 'write', async (db) => {
        const result = await analyzeTables(db, name);
        setExit(result.status === 'analyzed' ? ExitCode.OK : ExitCode.USAGE);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'not_found') return println(io.stdout, `${c.red('✗')} No table ${result.table}; nothing analyzed. \`spine ops sizes\` lists the tables.`);
        println(io.stdout, `${c.green('✓')} Analyzed ${result.tables.length} table(s)${result.tables.length === 1 ? `: ${result.tables[0]}` : ''}.`);
      }),
    );

  ops
    .command('vacuum')
    .description('Give the space of deleted rows back (SQLite VACUUM; PostgreSQL VACUUM FULL of this schema, which locks each table while rewriting it) and report it')
    .option('--json', 'print the result as JSON (sizes in bytes)')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, io, 'write', async (db) => {
        const result = await vacuumDatabase(db);
        if (options.json) return printJson(io, result);
        println(
          io.stdout,
          `${colors(io).green('✓')} Vacuumed: ${bytes(result.bytesBefore)} → ${bytes(result.bytesAfter)}; ${result.reclaimedBytes.toLocaleString('en-US')} bytes (${bytes(Math.max(0, result.reclaimedBytes))}) reclaimed.`,
        );
      }),
    );

  ops
    .command('sizes')
    .description('Size of every table with its indexes, largest first (SQLite dbstat; PostgreSQL pg_total_relation_size)')
    .option('--limit <n>', 'show only the n largest tables', (v) => Number.parseInt(v, 10))
    .option('--json', 'print the sizes as JSON (bytes)')
    .action(async (options: { limit?: number; json?: boolean }, command: Command) =>
      withDatabase(command, io, 'read', async (db) => {
        const sizes = await databaseSizes(db);
        const shown = options.limit === undefined ? sizes.tables : sizes.tables.slice(0, Math.max(0, options.limit));
        if (options.json) return printJson(io, { databaseBytes: sizes.databaseBytes, tables: shown });
        println(io.stdout, table(['table', 'data', 'indexes', 'total', 'total bytes'], shown.map((t) => [t.table, bytes(t.tableBytes), bytes(t.indexBytes), bytes(t.totalBytes), t.totalBytes])));
        println(io.stdout, `Database: ${bytes(sizes.databaseBytes)} (${sizes.databaseBytes.toLocaleString('en-US')} bytes), ${sizes.tables.length} tables.`);
      }),
    );

  ops
    .command('explain')
    .description('Plan one SQL statement without running it; exit 1 when it reads a table by a full scan (SQLite SCAN without index, PostgreSQL Seq Scan)')
    .argument('<sql>', 'the statement, quoted for the shell')
    .option('--json', 'print the plan as JSON')
    .action(async (statement: string, options: { json?: boolean }, command: Command) =>
      withDatabase(command, io, 'read', async (db) => {
        const report = await explainStatement(db, statement);
        setExit(report.status === 'clean' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, report);
        const c = colors(io);
        for (const line of report.lines) println(io.stdout, line);
        println(io.stdout, '');
        if (report.status === 'clean') return println(io.stdout, `${c.green('✓')} No full table scan.`);
        for (const scan of report.fullScans) println(io.stdout, `${c.red('✗')} Full scan of ${scan.table} (${scan.detail}): an index on the columns it filters by would serve it (seed 000 "When to Add Custom Indexes").`);
      }),
    );
}
