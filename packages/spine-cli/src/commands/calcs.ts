import { CALCS, calcVersionCounts, calcVersionState, checkCalcsDatabase, getCalc, latestView, parseFinraTier, parseWeekEnding, readCalcRows } from '@market-spine/domains-finra';
import type { CalcName, CalcRegistry, CalcVersionState } from '@market-spine/domains-finra';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { Command } from 'commander';
import { commandContext, databaseExists, openForCommand, withDatabase } from '../context.js';
import type { GlobalOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

/** Lineage columns left out of the `calcs rows` table (the JSON keeps them). */
const LINEAGE = new Set(['calc_name', 'capture_id', 'captured_at', 'execution_id', 'batch_id', 'calculated_at']);

interface RowsOptions {
  calcVersion?: string;
  week?: string;
  tier?: string;
  symbol?: string;
  mpid?: string;
  limit: string;
  json?: boolean;
}

/** One version of a calculation as `calcs show` prints it. */
interface VersionLine {
  readonly version: string;
  readonly state: CalcVersionState;
  /** Rows in the database, every capture; null without a database. */
  readonly rows: number | null;
  /** Its view; null for a version the registry does not list (rows left by another build). */
  readonly view: string | null;
  readonly note: string | null;
}

/** A cell of the rows table: numbers as the database gave them (a fraction keeps its digits). */
function cell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : String(value);
  return String(value);
}

/**
 * `spine calcs list|show|validate|rows`: the CALCS registry (versions,
 * current, deprecated, table, business keys), its rows per version in the
 * database, the database's agreement with it, and the rows of one version
 * (a deprecated one with a warning on stderr).
 *
 * @param registry the registry shown (default CALCS; tests pass their own)
 */
export function registerCalcsCommands(program: Command, io: CliIo, setExit: (code: Exit) => void, registry: CalcRegistry = CALCS): void {
  const calcs = program.command('calcs').description('The CALCS registry: calculations, their versions and views');

  calcs
    .command('list')
    .description('Registered calculations: versions (oldest first), current, deprecated, table')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const entries = Object.entries(registry).map(([name, calc]) => ({ name, ...calc }));
      if (options.json) return printJson(io, entries);
      println(
        io.stdout,
        table(
          ['calculation', 'versions', 'current', 'deprecated', 'table', 'description'],
          entries.map((c) => [c.name, c.versions.join(', '), c.current, c.deprecated.join(', '), c.table, c.description]),
        ),
      );
    });

  calcs
    .command('show')
    .description('One calculation: table, business keys, views, and rows per version in the database')
    .argument('<name>', 'calculation, e.g. symbol_rolling_6w')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const calc = getCalc(name, registry);
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      let counts: Map<string, number> | null = null;
      if (databaseExists(context)) {
        const db = await openForCommand(context, 'read', io);
        try {
          counts = new Map((await calcVersionCounts(db, name, registry)).map((c) => [c.version, c.rows]));
        } finally {
          await db.close();
        }
      } else {
        println(io.stderr, colors(io, 'stderr').yellow(`! No database at ${context.target}: rows per version are not shown.`));
      }
      const listed = counts === null ? calc.versions : [...counts.keys()];
      const versions: VersionLine[] = listed.map((version) => {
        const state = calcVersionState(calc, version);
        return { version, state, rows: counts?.get(version) ?? null, view: state === 'unregistered' ? null : latestView(calc, version), note: calc.version_notes[version] ?? null };
      });
      const shown = { name, description: calc.description, table: calc.table, businessKeys: calc.business_keys, current: calc.current, deprecated: calc.deprecated, latestView: latestView(calc), versions };
      if (options.json) return printJson(io, shown);
      println(io.stdout, `${name}: ${calc.description}`);
      println(io.stdout, `table ${calc.table}; business keys ${calc.business_keys.join(', ')}`);
      println(io.stdout, `current ${calc.current}, read through ${latestView(calc)}`);
      println(io.stdout, table(['version', 'state', 'rows', 'view', 'notes'], versions.map((v) => [v.version, v.state, v.rows, v.view, v.note])));
    });

  calcs
    .command('validate')
    .description('Check the registry and that the database agrees with it (tables, views, versions); exits 1 on a problem')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = commandContext(command.optsWithGlobals<GlobalOptions>(), io);
      // The registry's invariants are checked when it loads (REGISTRY_INVALID stops every command); here it is the database's turn.
      const registryResult = { status: 'valid' as const, calcs: Object.keys(registry).length };
      let database: Awaited<ReturnType<typeof checkCalcsDatabase>> | null = null;
      if (databaseExists(context)) {
        const db = await openForCommand(context, 'read', io);
        try {
          database = await checkCalcsDatabase(db, registry);
        } finally {
          await db.close();
        }
      }
      setExit(database?.status === 'invalid' ? ExitCode.FAILED : ExitCode.OK);
      if (options.json) return printJson(io, { registry: registryResult, database: { target: context.target, ...(database ?? { status: 'absent' }) } });
      const c = colors(io);
      println(io.stdout, `Registry: ${c.green('valid')}, ${registryResult.calcs} calculations (current ∈ versions, current ∉ deprecated, deprecated ⊆ versions, business keys, table names).`);
      if (database === null) return println(io.stdout, `Database: none at ${context.target}; nothing to compare.`);
      if (database.status === 'valid') return println(io.stdout, `Database ${context.target}: ${c.green('agrees')} (${database.calcs} tables, ${database.views} views).`);
      println(io.stdout, `Database ${context.target}: ${c.red(`${database.problems.length} problem(s)`)}`);
      println(io.stdout, table(['calculation', 'object', 'problem'], database.problems.map((p) => [p.calc, p.object, p.message])));
    });

  calcs
    .command('rows')
    .description('Rows of one version of a calculation, newest capture of each week (default: the current version)')
    .argument('<name>', 'calculation, e.g. symbol_rolling_6w')
    .option('--calc-version <version>', 'version to read, e.g. v2')
    .option('--week <date>', 'week ending (Friday, YYYY-MM-DD)')
    .option('--tier <tier>', 'NMS_TIER_1 | NMS_TIER_2 | OTC (aliases accepted)')
    .option('--symbol <symbol>', 'issue symbol')
    .option('--mpid <mpid>', 'venue MPID')
    .option('--limit <n>', 'most rows shown', '50')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: RowsOptions, command: Command) => {
      getCalc(name, registry);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `--limit must be a positive integer, got ${JSON.stringify(options.limit)}.`);
      }
      const where: Record<string, string> = {
        ...(options.week === undefined ? {} : { week_ending: parseWeekEnding(options.week) }),
        ...(options.tier === undefined ? {} : { tier: parseFinraTier(options.tier) }),
        ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
        ...(options.mpid === undefined ? {} : { mpid: options.mpid }),
      };
      await withDatabase(command, io, 'read', async (db) => {
        const read = await readCalcRows(db, name as CalcName, { where, limit, registry, ...(options.calcVersion === undefined ? {} : { version: options.calcVersion }) });
        for (const warning of read.warnings) println(io.stderr, colors(io, 'stderr').yellow(`! ${warning.message} [${warning.code}]`));
        if (options.json) return printJson(io, read);
        if (read.rows.length === 0) return println(io.stdout, `No rows of ${name} ${read.version} match.`);
        const rows = read.rows as unknown as Record<string, unknown>[];
        const columns = Object.keys(rows[0] as Record<string, unknown>).filter((column) => !LINEAGE.has(column));
        println(io.stdout, `${name} ${read.version} (${read.view}), ${rows.length} row(s):`);
        println(io.stdout, table(columns, rows.map((row) => columns.map((column) => cell(row[column])))));
      });
    });
}
