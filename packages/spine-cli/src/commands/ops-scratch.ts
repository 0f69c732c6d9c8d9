import { resolve } from 'node:path';
import { ErrorCode, SpineError, createScratch, dropScratch, generatePromotion, listScratch, parseTier } from '@market-spine/core';
import type { MigrationSource, ScratchDefinition, ScratchObject } from '@market-spine/core';
import { FINRA_EXPERIMENTS, TABLE_PREFIX, calcEntryStub } from '@market-spine/domains-finra';
import type { Command } from 'commander';
import { migrationSources, withDatabase } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ExitCode as Exit } from '../exit-codes.js';
import { bytes, colors, printJson, println, table } from '../output.js';
import type { CliIo } from '../output.js';

/** An age for people: `45 s`, `12 min`, `5 h`, `3 d`. */
function age(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

function scratchRow(o: ScratchObject): (string | number | null)[] {
  return [o.name, o.kind, o.rows, bytes(o.bytes), age(o.ageSeconds), o.createdAt, o.createdBy, o.note];
}

const SCRATCH_HEADERS = ['name', 'kind', 'rows', 'size', 'age', 'created (UTC)', 'by', 'note'];

/**
 * The package a promoted table belongs to: `--package` (short or npm name),
 * else the one whose naming the table follows (`finra_otc_transparency_*`:
 * domains-finra; `core_*`: core).
 *
 * @throws SpineError `INVALID_ARGUMENT` when neither says
 */
function owningSource(to: string, packageName: string | undefined): MigrationSource {
  const sources = migrationSources();
  const wanted = packageName ?? (to.startsWith(TABLE_PREFIX) ? 'domains-finra' : to.startsWith('core_') ? 'core' : undefined);
  const source = sources.find((s) => s.name === wanted || s.packageName === wanted);
  if (source === undefined) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Which package owns ${to}? ${packageName === undefined ? 'Its name does not say.' : `Unknown package ${packageName}.`}`, {
      hint: `Pass --package with one of: ${sources.map((s) => s.name).join(', ')}.`,
    });
  }
  return source;
}

/** `spine ops scratch create | list | drop`, `spine ops promote`, `spine ops experiments list | create`. */
export function registerScratchCommands(ops: Command, io: CliIo, setExit: (code: Exit) => void): void {
  const scratch = ops.command('scratch').description('Analysts\' scratch tables and experimental views (_scratch_*, _exp_*; seed 000 "Experimental Calculations Strategy")');

  scratch
    .command('create')
    .description('Create a scratch table (from a query or column definitions) or, with --view, an experimental view; records who and when')
    .argument('<name>', 'a name starting with _scratch_ or _exp_')
    .option('--as <select>', 'the query to fill the table from (or to define the view)')
    .option('--columns <definitions>', 'column definitions of an empty table, e.g. "symbol TEXT NOT NULL, hhi REAL"')
    .option('--view', 'create a view of the --as query instead of a table')
    .option('--note <text>', 'what the object is for')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { as?: string; columns?: string; view?: boolean; note?: string; json?: boolean }, command: Command) => {
      if ((options.as === undefined) === (options.columns === undefined) || (options.view && options.as === undefined)) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, 'Give the table either --as <select> or --columns <definitions> (a view: --view --as <select>).', {
          hint: 'e.g. spine ops scratch create _scratch_big_venues --as "SELECT * FROM finra_otc_transparency_weekly_symbol_venue_volume WHERE total_volume > 1000000"',
        });
      }
      const definition: ScratchDefinition =
        options.as === undefined ? { kind: 'table', columns: options.columns as string } : { kind: options.view ? 'view' : 'table', select: options.as };
      await withDatabase(command, io, 'write', async (db) => {
        const result = await createScratch(db, name, definition, options.note);
        setExit(result.status === 'created' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'exists') return println(io.stdout, `${c.red('✗')} ${result.name} exists (a ${result.kind}); nothing changed. Drop it first with \`spine ops scratch drop ${result.name} --yes\`.`);
        const o = result.object;
        println(io.stdout, `${c.green('✓')} Created ${o.kind} ${o.name}${o.rows === null ? '' : ` (${o.rows.toLocaleString('en-US')} rows, ${bytes(o.bytes)})`}.`);
      });
    });

  scratch
    .command('list')
    .description('Scratch tables and experimental views with rows, size and age, oldest first')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, io, 'read', async (db) => {
        const list = await listScratch(db);
        if (options.json) return printJson(io, { objects: list });
        if (list.length === 0) return println(io.stdout, 'No scratch tables or experimental views.');
        println(io.stdout, table(SCRATCH_HEADERS, list.map(scratchRow)));
      }),
    );

  scratch
    .command('drop')
    .description('Drop a scratch table or experimental view (only _scratch_* / _exp_* names)')
    .argument('<name>', 'the scratch table or view')
    .option('-y, --yes', 'confirm: its rows are deleted for good')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { yes?: boolean; json?: boolean }, command: Command) => {
      if (!options.yes) {
        throw new SpineError(ErrorCode.CONFIRMATION_REQUIRED, `Dropping ${name} deletes it and its rows for good.`, { hint: `Pass --yes to confirm: spine ops scratch drop ${name} --yes` });
      }
      await withDatabase(command, io, 'write', async (db) => {
        const result = await dropScratch(db, name);
        setExit(result.status === 'dropped' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'not_found') return println(io.stdout, `${c.red('✗')} No scratch object ${result.name}; \`spine ops scratch list\` lists them.`);
        println(io.stdout, `${c.green('✓')} Dropped ${result.kind} ${result.name}${result.rows === null ? '' : ` (${result.rows.toLocaleString('en-US')} rows)`}.`);
      });
    });

  ops
    .command('promote')
    .description("Write the migration that promotes a scratch table to a production table, for review, into the owning package's migrations (the database is not changed)")
    .argument('<scratch>', 'the scratch table')
    .requiredOption('--to <name>', 'the production table name, e.g. finra_otc_transparency_<entity>_<grain>')
    .option('--package <name>', 'the owning package (default: from the table name)')
    .option('--tier <tier>', 'the tier folder', 'basic')
    .option('--migrations-dir <dir>', "the package's migrations folder to write to, e.g. of a source checkout (default: the package's own)")
    .option('--json', 'print the result as JSON')
    .action(async (scratchTable: string, options: { to: string; package?: string; tier: string; migrationsDir?: string; json?: boolean }, command: Command) => {
      const owner = owningSource(options.to, options.package);
      const source = options.migrationsDir === undefined ? owner : { ...owner, directory: resolve(io.cwd, options.migrationsDir) };
      const tier = parseTier(options.tier);
      await withDatabase(command, io, 'read', async (db) => {
        const columns = (await db.dialect.introspector.columns(db.executor(), scratchTable)).map((c) => c.name.toLowerCase());
        const stub = calcEntryStub(options.to, columns);
        const finra = options.to.startsWith(TABLE_PREFIX);
        const result = await generatePromotion(db, {
          scratchTable,
          to: options.to,
          source,
          tier,
          // FINRA's own conventions: slugs without the table prefix, indexes named idx_fotc_<entity>_<purpose>.
          ...(finra ? { slug: options.to.slice(TABLE_PREFIX.length), indexStem: `fotc_${options.to.slice(TABLE_PREFIX.length)}` } : {}),
          ...(stub === null ? {} : { notes: ['', `CALCS entry to complete and add to src/calcs.ts (calc ${stub.name}):`, ...stub.text.split('\n')] }),
        });
        setExit(result.status === 'generated' ? ExitCode.OK : ExitCode.FAILED);
        if (options.json) return printJson(io, { ...result, calcEntryStub: stub?.text ?? null });
        const c = colors(io);
        if (result.status === 'not_found') return println(io.stdout, `${c.red('✗')} No scratch table ${result.scratchTable}; nothing written.`);
        if (result.status === 'target_exists') return println(io.stdout, `${c.red('✗')} ${result.to} exists in the database already; nothing written.`);
        println(io.stdout, `${c.green('✓')} Wrote migration ${result.migrationId} for review:`);
        for (const file of result.files) println(io.stdout, `  ${file}`);
        println(io.stdout, `Indexes: ${result.indexes.map((i) => i.name).join(', ') || 'none'}${result.skippedIndexes.length === 0 ? '' : `; left out: ${result.skippedIndexes.map((s) => `${s.purpose} (no ${s.missing.join(', ')})`).join(', ')}`}.`);
        if (stub !== null) {
          println(io.stdout, `CALCS entry to complete and add to ${source.packageName}'s src/calcs.ts:`);
          println(io.stdout, stub.text);
        }
        println(io.stdout, `Then \`spine db migrate\` creates ${result.table} (empty; copy the scratch rows with INSERT … SELECT if wanted) and \`spine ops scratch drop ${scratchTable} --yes\`.`);
      });
    });

  const experiments = ops.command('experiments').description('Experiments the packages ship as _exp_ views made on demand (seed 000 "Option B: Views")');

  experiments
    .command('list')
    .description('The experiments and whether each exists in the database')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, io, 'read', async (db) => {
        const existing = new Set((await listScratch(db)).map((o) => o.name));
        const list = Object.entries(FINRA_EXPERIMENTS).map(([name, e]) => ({ name, object: e.object, description: e.description, exists: existing.has(e.object) }));
        if (options.json) return printJson(io, { experiments: list });
        println(io.stdout, table(['experiment', 'object', 'exists', 'what'], list.map((e) => [e.name, e.object, e.exists ? 'yes' : 'no', e.description])));
      }),
    );

  experiments
    .command('create')
    .description('Create an experiment\'s _exp_ object (drop it with `spine ops scratch drop`)')
    .argument('<experiment>', `one of: ${Object.keys(FINRA_EXPERIMENTS).join(', ')}`)
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const experiment = FINRA_EXPERIMENTS[name];
      if (experiment === undefined) {
        throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Unknown experiment ${JSON.stringify(name)}.`, { hint: `Known: ${Object.keys(FINRA_EXPERIMENTS).join(', ')}.` });
      }
      await withDatabase(command, io, 'write', async (db) => {
        const result = await experiment.create(db);
        if (options.json) return printJson(io, result);
        const c = colors(io);
        if (result.status === 'exists') return println(io.stdout, `${c.green('✓')} ${result.name} exists already.`);
        println(io.stdout, `${c.green('✓')} Created ${result.object.kind} ${result.object.name}: ${experiment.description}.`);
      });
    });
}
