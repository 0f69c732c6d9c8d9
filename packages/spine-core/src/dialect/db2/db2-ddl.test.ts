/**
 * The DB2 form of every migration, executed in Apache Derby.
 *
 * DB2 is "DDL output only" (DESIGN.md): no DB2 server exists here, so the DB2
 * script that `db2MigrationScript` builds from the `.db2.sql` files runs in
 * Derby, which speaks the same IBM SQL family, through its `ij` tool (Debian
 * package `derby-tools`). One ij process, one in-memory database:
 *   1. the whole DB2 script — ledger DDL, every migration of spine-core and
 *      spine-domains-finra (advanced tier) in apply order, each migration's
 *      ledger row — minus the `-- spine:db2-only` statements;
 *   2. the catalog (tables, views, columns, indexes), compared with the
 *      portable scripts applied to SQLite;
 *   3. rows into every table, every table and view read back, ON DELETE
 *      CASCADE, identity and defaults checked;
 *   4. the CHECK constraints rewritten without GLOB probed with values that a
 *      SQLite database built from the portable scripts accepts or refuses;
 *   5. every DB2 down script in reverse order, then the catalog again (only
 *      the ledger is left), then every up script again (the downs left
 *      nothing behind that would collide).
 * Any `ERROR` line ij prints for a statement that is not an expected refusal
 * fails the test (ij's exit code does not tell). Without `ij` on PATH the test
 * fails in CI (`CI=true`; `.ci/run` installs derby-tools) and elsewhere is
 * skipped, saying to install derby-tools. `SPINE_DB2_KEEP=1` keeps the ij script and output (the path is
 * printed); a failing run always keeps them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../../core-migrations.js';
import { ErrorCode, SpineError } from '../../errors.js';
import { discoverMigrations, loadMigration } from '../../migrations/discovery.js';
import type { LoadedMigration } from '../../migrations/discovery.js';
import { packageMigrationSource } from '../../migrations/source.js';
import type { MigrationSource } from '../../migrations/source.js';
import { tiersUpTo } from '../../migrations/tiers.js';
import { openSqliteDialect } from '../sqlite/sqlite-dialect.js';
import { DB2_LEDGER_DDL, DB2_MIGRATION_LOG_TABLE, DB2_MIGRATIONS_TABLE } from './db2-ledger.js';
import { DB2_SCRIPT_APPLIED_BY, db2MigrationScript } from './db2-plan.js';
import { splitDb2Statements } from './db2-statements.js';

// ---------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------

/**
 * spine-domains-finra's migrations, read as files: core never imports a
 * domain's code, so this is the source its `finraMigrationSource()` builds,
 * made by path — `packageMigrationSource` reads package.json and migrations/
 * one level above the module URL it is given (the package's src/).
 */
function finraSource(): MigrationSource {
  const source = packageMigrationSource(new URL('../../../../spine-domains-finra/src/migration-source.ts', import.meta.url).href, 'domains-finra', ['core']);
  expect(source.packageName).toBe('@market-spine/domains-finra');
  return source;
}

const SOURCES = [coreMigrationSource(), finraSource()];

interface Db2Migration {
  readonly id: string;
  readonly db2: LoadedMigration;
  /** The portable (SQLite) script of the same migration. */
  readonly portable: LoadedMigration;
}

/**
 * Every migration of core and domains-finra at the advanced tier (all tiers),
 * with its DB2 form. A migration with neither a portable nor a DB2 script
 * (e.g. `.postgres.sql` only) does not apply to DB2 and is listed in `notForDb2`.
 */
function db2Migrations(): { migrations: Db2Migration[]; notForDb2: string[] } {
  const migrations: Db2Migration[] = [];
  const notForDb2: string[] = [];
  for (const definition of discoverMigrations(SOURCES).filter((d) => tiersUpTo('advanced').includes(d.tier))) {
    const db2 = loadMigration(definition, 'db2');
    if (db2 === undefined) {
      notForDb2.push(definition.id);
      continue;
    }
    const portable = loadMigration(definition, 'sqlite');
    if (!definition.up.has('portable') || portable === undefined) throw new Error(`${definition.id} has a DB2 script but no portable one`);
    migrations.push({ id: definition.id, db2, portable });
  }
  return { migrations, notForDb2 };
}

/** First line of a statement, `COMMENT ON … IS '…'` cut before its text. */
function summary(text: string): string {
  return (text.split('\n')[0] as string).replace(/\s+IS\s+'.*$/, '').trim();
}

// ---------------------------------------------------------------------------
// ij
// ---------------------------------------------------------------------------

const INSTALL_HINT =
  "Apache Derby's ij is not on PATH: install derby-tools (`apt-get install -y derby-tools`; needs Java). The DB2 DDL is verified by running it in Derby.";
/** In CI the Derby run is required (`.ci/run` installs derby-tools); elsewhere a missing ij skips it. */
const DERBY_REQUIRED = process.env.CI === 'true' || process.env.CI === '1';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

type Value = string | number | null;

/** One step of the ij script: a SQL statement or an ij command, and what it must do. */
interface Step {
  readonly sql: string;
  /** `ok` (default): no ERROR; `refused`: must fail with one of `codes`. */
  readonly expect?: 'ok' | 'refused';
  readonly codes?: readonly string[];
  /** Where the statement comes from, for failure messages. */
  readonly origin?: string;
}

interface StepResult {
  readonly step: Step;
  readonly output: string;
  readonly error: string | undefined;
  readonly warnings: string[];
}

const ERROR_LINE = /^ERROR ([0-9A-Z]{5}):.*$/m;
const IJ_ERROR_LINE = /^IJ ERROR.*$/m;
const WARNING_LINE = /^WARNING ([0-9A-Z]{5}):.*$/gm;

const javaOptions = (workDir: string): string => `-Dderby.ui.codeset=UTF-8 -Dderby.stream.error.file=${join(workDir, 'derby.log')} -XX:TieredStopAtLevel=1 -Xshare:auto`;

/**
 * Runs `steps` in one ij process on `jdbc:derby:memory:spine;create=true`
 * (working directory `workDir`, where Derby writes derby.log) and pairs each
 * step with its output: ij echoes every statement after its `ij> ` prompt.
 */
function runIj(ij: string, steps: readonly Step[], workDir: string): StepResult[] {
  const prologue = [`connect 'jdbc:derby:memory:spine;create=true'`, 'maximumdisplaywidth 2000'];
  const script = [...prologue, ...steps.map((s) => s.sql)].map((s) => `${s};\n`).join('');
  const scriptPath = join(workDir, 'spine-db2.ij.sql');
  writeFileSync(scriptPath, script);
  const run = spawnSync(ij, [scriptPath], {
    cwd: workDir,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 256 * 1024 * 1024,
    // Debian's /usr/bin/ij passes JAVA_ARGS to java, Derby's own bin/ij DERBY_OPTS: UTF-8 output,
    // derby.log in workDir, a faster JVM start.
    env: { ...process.env, JAVA_ARGS: javaOptions(workDir), DERBY_OPTS: javaOptions(workDir) },
  });
  if (run.error) throw run.error;
  const out = `${run.stdout}`;
  writeFileSync(join(workDir, 'spine-db2.ij.out'), `${out}\n--- stderr ---\n${run.stderr}`);
  if (run.status !== 0) throw new Error(`ij exited with ${run.status}: ${run.stderr}\nScript and output kept in ${workDir}`);
  const blocks = out.split(/^ij> /m).slice(1);
  const expected = prologue.length + steps.length;
  if (blocks.length < expected) throw new Error(`ij stopped early: ${blocks.length} of ${expected} statements echoed. Output in ${workDir}`);
  for (let i = 0; i < prologue.length; i += 1) {
    const block = blocks[i] as string;
    if (ERROR_LINE.test(block) || IJ_ERROR_LINE.test(block)) throw new Error(`ij could not start: ${block}`);
  }
  return steps.map((step, index) => {
    const block = blocks[prologue.length + index] as string;
    if (!block.startsWith(`${step.sql};`)) {
      throw new Error(`ij output out of step at statement ${index + 1}: expected the echo of ${JSON.stringify(step.sql.slice(0, 80))}, got ${JSON.stringify(block.slice(0, 200))}. Output in ${workDir}`);
    }
    const output = block.slice(step.sql.length + 1);
    const error = ERROR_LINE.exec(output)?.[0] ?? IJ_ERROR_LINE.exec(output)?.[0];
    const warnings = [...output.matchAll(WARNING_LINE)].map((m) => m[0]);
    return { step, output, error, warnings };
  });
}

/** Data rows of a query whose single result column starts with `tag|`, split on `|`. */
function taggedRows(result: StepResult, tag: string): string[][] {
  return result.output
    .split('\n')
    .filter((line) => line.startsWith(`${tag}|`))
    .map((line) => line.split('|').map((cell) => cell.trim()).slice(1));
}

// ---------------------------------------------------------------------------
// SQL text
// ---------------------------------------------------------------------------

function literal(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** `INSERT INTO table (…) VALUES (…)`; column names as written (`"RANK"` quoted), valid in Derby and SQLite alike. */
function insertSql(table: string, row: Readonly<Record<string, Value>>): string {
  const columns = Object.keys(row);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => literal(row[c] as Value)).join(', ')})`;
}

const countSql = (table: string): string => `SELECT 'COUNT|${table}|' || TRIM(CHAR(COUNT(*))) FROM ${table}`;

const CATALOG_FROM = `FROM SYS.SYSTABLES T JOIN SYS.SYSSCHEMAS S ON T.SCHEMAID = S.SCHEMAID WHERE S.SCHEMANAME = 'APP'`;
const CATALOG_TABLES = `SELECT 'TAB|' || T.TABLENAME || '|' || T.TABLETYPE ${CATALOG_FROM} ORDER BY T.TABLENAME`;
// Fields: table, column, position, identity (Y/N); then the type as ij prints it.
const CATALOG_COLUMNS = `SELECT 'COL|' || T.TABLENAME || '|' || C.COLUMNNAME || '|' || TRIM(CHAR(C.COLUMNNUMBER)) || '|' || CASE WHEN C.AUTOINCREMENTINC IS NULL THEN 'N' ELSE 'Y' END, C.COLUMNDATATYPE
FROM SYS.SYSCOLUMNS C JOIN SYS.SYSTABLES T ON C.REFERENCEID = T.TABLEID JOIN SYS.SYSSCHEMAS S ON T.SCHEMAID = S.SCHEMAID
WHERE S.SCHEMANAME = 'APP' ORDER BY T.TABLENAME, C.COLUMNNUMBER`;
// Indexes named by a CREATE INDEX; those backing PRIMARY KEY/UNIQUE/FOREIGN KEY constraints get system names SQL<digits>.
const CATALOG_INDEXES = `SELECT 'IDX|' || T.TABLENAME || '|' || G.CONGLOMERATENAME
FROM SYS.SYSCONGLOMERATES G JOIN SYS.SYSTABLES T ON G.TABLEID = T.TABLEID JOIN SYS.SYSSCHEMAS S ON T.SCHEMAID = S.SCHEMAID
WHERE S.SCHEMANAME = 'APP' AND G.ISINDEX AND G.CONGLOMERATENAME NOT LIKE 'SQL%' ORDER BY G.CONGLOMERATENAME`;
const LEDGER_ROWS = `SELECT 'LEDGER|' || MIGRATION_ID || '|' || "PACKAGE" || '|' || DIALECT || '|' || CHECKSUM || '|' || COALESCE(DOWN_CHECKSUM, '-') || '|' || TRIM(CHAR(INSTALLED_RANK)) || '|' || APPLIED_BY || '|' || KIND || '|' || CASE WHEN APPLIED_AT IS NULL THEN 'null' ELSE 'now' END
FROM ${DB2_MIGRATIONS_TABLE} WHERE APPLIED_BY = '${DB2_SCRIPT_APPLIED_BY}' ORDER BY INSTALLED_RANK`;

// ---------------------------------------------------------------------------
// Rows: every table gets some; the FINRA ones are written to SQLite too, so
// the *_latest views of both dialects can be compared.
// ---------------------------------------------------------------------------

interface Rows {
  readonly table: string;
  readonly rows: readonly Readonly<Record<string, Value>>[];
}

const HASH_A = 'a'.repeat(64);

function coreRows(migrations: readonly Db2Migration[]): Rows[] {
  return [
    {
      // Rows as the migration engine writes them (the script's own rows are checked apart).
      table: DB2_MIGRATIONS_TABLE,
      rows: migrations.slice(0, 2).map((m, index) => ({
        MIGRATION_ID: `fixture/${m.id}`,
        '"PACKAGE"': m.db2.definition.source.packageName,
        PACKAGE_VERSION: m.db2.definition.source.version,
        TIER: m.db2.definition.tier,
        DIALECT: 'db2',
        DESCRIPTION: m.db2.description,
        CHECKSUM: m.db2.checksum,
        APPLIED_AT: '2026-01-05 09:00:00.123456',
        APPLIED_BY: 'dba@db2host',
        EXECUTION_TIME_MS: 12 + index,
        SUCCESS: index,
        ERROR_MESSAGE: index === 0 ? 'SQL0601N The name of the object to be created is identical to the existing name.' : null,
        DOWN_CHECKSUM: m.db2.downChecksum,
        BUNDLE: index === 0 ? '2026_q1' : null,
        INSTALLED_RANK: 1000 + index,
        KIND: index === 0 ? 'baseline' : 'migrate',
      })),
    },
    {
      table: DB2_MIGRATION_LOG_TABLE,
      rows: [
        { EVENT: 'failed', MIGRATION_ID: 'core/basic/0002_core_manifest', '"PACKAGE"': '@market-spine/core', PACKAGE_VERSION: '0.1.0', DIALECT: 'db2', CHECKSUM: HASH_A, PREVIOUS_CHECKSUM: null, '"AT"': '2026-01-05 09:00:01', '"BY"': 'dba@db2host', EXECUTION_TIME_MS: 3, STATEMENT_LINE: 7, '"STATEMENT"': `CREATE TABLE CORE_MANIFEST (${'X INT, '.repeat(600)}Y INT)`, MESSAGE: 'SQL0601N The name of the object to be created is identical to the existing name.' },
        { EVENT: 'rolled_back', MIGRATION_ID: 'core/basic/0002_core_manifest', '"PACKAGE"': '@market-spine/core', PACKAGE_VERSION: '0.1.0', DIALECT: 'db2', CHECKSUM: HASH_A, PREVIOUS_CHECKSUM: 'b'.repeat(64), '"AT"': '2026-01-05 09:00:02', '"BY"': 'dba@db2host', EXECUTION_TIME_MS: null, STATEMENT_LINE: null, '"STATEMENT"': null, MESSAGE: null },
      ],
    },
    {
      table: 'CORE_EXECUTIONS',
      rows: [
        { EXECUTION_ID: 'exe_batch', PIPELINE: 'finra.otc_transparency.batch', DOMAIN: 'finra.otc_transparency', PARTITION_KEY: null, STATUS: 'COMPLETED', PARAMS: '{"weeks":6}', PARENT_EXECUTION_ID: null, BATCH_ID: 'bat_1', TRIGGERED_BY: 'schedule', STARTED_AT: '2025-12-15 10:00:00', COMPLETED_AT: '2025-12-15 10:05:00', ERROR_CODE: null, ERROR_MESSAGE: null },
        { EXECUTION_ID: 'exe_week', PIPELINE: 'finra.otc_transparency.week', DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', STATUS: 'FAILED', PARAMS: null, PARENT_EXECUTION_ID: 'exe_batch', BATCH_ID: 'bat_1', STARTED_AT: '2025-12-15 10:01:00', COMPLETED_AT: '2025-12-15 10:02:00', ERROR_CODE: 'QUALITY_FAILED', ERROR_MESSAGE: 'market share sums to 97%' },
      ],
    },
    {
      table: 'CORE_MANIFEST',
      rows: [
        { DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', STAGE: 'INGESTED', CAPTURE_ID: 'cap_C', ROW_COUNT_IN: 10, ROW_COUNT_OUT: 9, ROW_COUNT_REJECTED: 1, SOURCE_TYPE: 'file', SOURCE_LOCATOR: '/data/finra/otc-2025-11-14.csv', SOURCE_SHA256: HASH_A, SOURCE_BYTES: 1234, EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1', METADATA: '{}', UPDATED_AT: '2025-12-16 09:00:00' },
        { DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', STAGE: 'NORMALIZED', CAPTURE_ID: 'cap_C', ROW_COUNT_IN: 9, ROW_COUNT_OUT: 9, ROW_COUNT_REJECTED: 0, SOURCE_TYPE: null, SOURCE_LOCATOR: null, SOURCE_SHA256: null, SOURCE_BYTES: null, EXECUTION_ID: 'exe_week', BATCH_ID: null, METADATA: null, UPDATED_AT: '2025-12-16 09:01:00' },
      ],
    },
    {
      table: 'CORE_LOAD_RECORDS',
      rows: [
        { LOAD_ID: 'load_1', DOMAIN: 'finra.otc_transparency', SOURCE_TYPE: 'file', SOURCE_LOCATOR: '/data/finra/otc-2025-11-14.csv', SOURCE_SHA256: HASH_A, SOURCE_BYTES: 1234, SOURCE_FORMAT: 'finra_website_export', STATUS: 'LOADED', LINES_TOTAL: 10, ROWS_ACCEPTED: 9, ROWS_REJECTED: 1, PARTITIONS: '["2025-11-14|OTC"]', EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1', STARTED_AT: '2025-12-16 09:00:00', COMPLETED_AT: '2025-12-16 09:00:02', ERROR_MESSAGE: null },
        { LOAD_ID: 'load_2', DOMAIN: 'finra.otc_transparency', SOURCE_TYPE: 'url', SOURCE_LOCATOR: 'https://example.invalid/otc', SOURCE_SHA256: 'c'.repeat(64), SOURCE_BYTES: 0, SOURCE_FORMAT: null, STATUS: 'FAILED', LINES_TOTAL: 0, ROWS_ACCEPTED: 0, ROWS_REJECTED: 0, PARTITIONS: null, EXECUTION_ID: 'exe_week', BATCH_ID: null, STARTED_AT: '2025-12-16 09:10:00', COMPLETED_AT: null, ERROR_MESSAGE: 'HTTP 503' },
      ],
    },
    {
      table: 'CORE_QUALITY_CHECKS',
      rows: [
        { DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', PIPELINE: 'finra.otc_transparency.week', STAGE: 'AGGREGATED', CAPTURE_ID: 'cap_C', CHECK_NAME: 'market_share_sums_to_100', CHECK_KIND: 'sum_to', CATEGORY: 'BUSINESS_RULE', SEVERITY: 'FAIL', STATUS: 'PASS', CHECK_VALUE: '100.0000', EXPECTED_VALUE: '100', TOLERANCE: '0.01', MESSAGE: 'market share sums to 100%', FAILED_ROW_COUNT: 0, SAMPLE_KEYS: '[]', EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1', CHECKED_AT: '2025-12-16 09:02:00' },
        { DOMAIN: 'finra.otc_transparency', PARTITION_KEY: null, PIPELINE: 'finra.otc_transparency.week', STAGE: null, CAPTURE_ID: null, CHECK_NAME: 'no_duplicate_keys', CHECK_KIND: 'unique', CATEGORY: 'INTEGRITY', SEVERITY: 'WARN', STATUS: 'ERROR', CHECK_VALUE: null, EXPECTED_VALUE: null, TOLERANCE: null, MESSAGE: 'check could not run', FAILED_ROW_COUNT: null, SAMPLE_KEYS: null, EXECUTION_ID: 'exe_week', BATCH_ID: null, CHECKED_AT: '2025-12-16 09:02:01' },
      ],
    },
    {
      table: 'CORE_ANOMALIES',
      rows: [
        { ANOMALY_ID: 'ano_1', DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', SEVERITY: 'WARNING', CATEGORY: 'volume_spike', MESSAGE: 'AAPL volume 5x the 6-week average', DETAILS: '{"ratio":5.1}', EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1', DETECTED_AT: '2025-12-16 09:03:00', RESOLVED_AT: null },
        { ANOMALY_ID: 'ano_2', DOMAIN: 'finra.otc_transparency', PARTITION_KEY: null, SEVERITY: 'CRITICAL', CATEGORY: 'missing_week', MESSAGE: 'week 2025-11-07 missing', DETAILS: null, EXECUTION_ID: null, BATCH_ID: null, DETECTED_AT: '2025-12-16 09:04:00', RESOLVED_AT: '2025-12-17 08:00:00' },
      ],
    },
    {
      table: 'CORE_SOURCE_CONFIGS',
      rows: [
        { SOURCE_ID: 'src_finra_web', SOURCE_TYPE: 'file', NAME: 'finra-website-export', CONFIG: '{"path":"/data/finra"}', ENABLED: 1, CREATED_AT: '2025-12-01 00:00:00', UPDATED_AT: '2025-12-01 00:00:00' },
        // CREATED_AT / UPDATED_AT left to DEFAULT CURRENT TIMESTAMP, ENABLED to DEFAULT 1.
        { SOURCE_ID: 'src_finra_api', SOURCE_TYPE: 'http', NAME: 'finra-query-api', CONFIG: '{"url":"https://api.finra.org"}' },
      ],
    },
    {
      table: 'SCHEDULER_SCHEDULES',
      rows: [
        { NAME: 'weekly-finra', PIPELINE: 'finra.otc_transparency.week', SCHEDULE_TYPE: 'cron', CRON_EXPRESSION: '0 6 * * MON', INTERVAL_MINUTES: null, INTERVAL_HOURS: null, RUN_AT: null, TIMEZONE: 'America/New_York', PARAMS: '{}', ENABLED: 1, MAX_INSTANCES: 1, CREATED_AT: '2025-12-01 00:00:00', UPDATED_AT: '2025-12-01 00:00:00' },
        { NAME: 'hourly-health', PIPELINE: 'ops.health', SCHEDULE_TYPE: 'interval', INTERVAL_MINUTES: 0, INTERVAL_HOURS: 1, RUN_AT: '2025-12-01 01:00:00', CREATED_AT: '2025-12-01 00:00:00', UPDATED_AT: '2025-12-02 00:00:00' },
      ],
    },
    {
      table: 'SCHEDULER_RUNS',
      rows: [
        { RUN_ID: 'srun_1', SCHEDULE_NAME: 'weekly-finra', PIPELINE: 'finra.otc_transparency.week', STATUS: 'completed', SCHEDULED_AT: '2025-12-15 06:00:00', STARTED_AT: '2025-12-15 06:00:01', COMPLETED_AT: '2025-12-15 06:04:00', ERROR: null, '"RESULT"': '{"ok":true}' },
        { RUN_ID: 'srun_2', SCHEDULE_NAME: 'hourly-health', PIPELINE: 'ops.health', STATUS: 'failed', SCHEDULED_AT: '2025-12-15 07:00:00', STARTED_AT: null, COMPLETED_AT: null, ERROR: 'timeout', '"RESULT"': null },
      ],
    },
    {
      table: 'WORKFLOW_RUNS',
      rows: [
        { RUN_ID: 'wr_a', WORKFLOW_NAME: 'finra-weekly', DOMAIN: 'finra.otc_transparency', PARTITION_KEY: '2025-11-14|OTC', STATUS: 'COMPLETED', STARTED_AT: '2025-12-15 06:00:00', COMPLETED_AT: '2025-12-15 06:04:00', PARAMS: '{}', OUTPUTS: '{}', ERROR: null, ERROR_CATEGORY: null, METRICS: '{"rows":9}', TRIGGERED_BY: 'schedule', CREATED_AT: '2025-12-15 06:00:00' },
        // CREATED_AT left to DEFAULT CURRENT TIMESTAMP.
        { RUN_ID: 'wr_b', WORKFLOW_NAME: 'finra-backfill', STATUS: 'FAILED', ERROR: 'source missing', ERROR_CATEGORY: 'SOURCE', TRIGGERED_BY: 'manual' },
      ],
    },
    {
      table: 'WORKFLOW_STEP_RUNS',
      rows: [
        { STEP_ID: 'st_a1', RUN_ID: 'wr_a', STEP_NAME: 'ingest', STEP_TYPE: 'pipeline', STEP_ORDER: 1, STATUS: 'COMPLETED', STARTED_AT: '2025-12-15 06:00:00', COMPLETED_AT: '2025-12-15 06:01:00', INPUT_PARAMS: '{}', OUTPUT_DATA: '{}', ERROR: null, ERROR_CATEGORY: null, RECORDS_PROCESSED: 5000000000, QUALITY_PASSED: 1, QUALITY_METRICS: '{}' },
        { STEP_ID: 'st_a2', RUN_ID: 'wr_a', STEP_NAME: 'normalize', STEP_TYPE: 'pipeline', STEP_ORDER: 2, STATUS: 'COMPLETED', QUALITY_PASSED: 0 },
        { STEP_ID: 'st_b1', RUN_ID: 'wr_b', STEP_NAME: 'ingest', STEP_TYPE: 'pipeline', STEP_ORDER: 1, STATUS: 'FAILED', ERROR: 'source missing' },
      ],
    },
    {
      table: 'ALERT_HISTORY',
      rows: [
        { ALERT_ID: 'al_1', SEVERITY: 'ERROR', TITLE: 'FINRA week failed', MESSAGE: 'quality check failed', '"SOURCE"': 'finra.otc_transparency', EXECUTION_ID: 'exe_week', CHANNEL: 'slack', SENT_AT: '2025-12-15 10:02:01', SUCCESS: 1, ERROR: null, METADATA: '{}' },
        { ALERT_ID: 'al_2', SEVERITY: 'INFO', TITLE: 'backfill done', MESSAGE: 'ok', '"SOURCE"': 'ops', EXECUTION_ID: null, CHANNEL: 'email', SENT_AT: '2025-12-15 11:00:00', SUCCESS: 0, ERROR: 'SMTP refused', METADATA: null },
      ],
    },
    {
      table: 'DEAD_LETTER_QUEUE',
      rows: [
        { DLQ_ID: 'dlq_1', SOURCE_TYPE: 'workflow', SOURCE_ID: 'wr_b', PAYLOAD: '{"run":"wr_b"}', ERROR: 'source missing', ERROR_CATEGORY: 'SOURCE', RETRY_COUNT: 1, MAX_RETRIES: 3, FIRST_FAILED_AT: '2025-12-15 06:00:00', LAST_FAILED_AT: '2025-12-15 07:00:00', NEXT_RETRY_AT: '2025-12-15 08:00:00', STATUS: 'retrying', RESOLVED_AT: null, METADATA: null },
        // RETRY_COUNT, MAX_RETRIES and STATUS left to their defaults.
        { DLQ_ID: 'dlq_2', SOURCE_TYPE: 'step', SOURCE_ID: 'st_b1', PAYLOAD: '{}', ERROR: 'x', FIRST_FAILED_AT: '2025-12-15 06:00:00', LAST_FAILED_AT: '2025-12-15 06:00:00' },
      ],
    },
    {
      table: 'CIRCUIT_BREAKERS',
      rows: [
        { BREAKER_ID: 'cb_1', NAME: 'finra-api', STATE: 'open', FAILURE_COUNT: 5, SUCCESS_COUNT: 0, LAST_FAILURE_AT: '2025-12-15 06:00:00', LAST_SUCCESS_AT: null, OPENED_AT: '2025-12-15 06:00:00', HALF_OPENED_AT: null, CONFIG: '{"threshold":5}', UPDATED_AT: '2025-12-15 06:00:00' },
        { BREAKER_ID: 'cb_2', NAME: 'smtp', UPDATED_AT: '2025-12-15 06:00:00' },
      ],
    },
  ];
}

/**
 * Captures of the FINRA fixture. For 2025-11-14/OTC: A is older than B and C,
 * which tie on CAPTURED_AT (C wins on CAPTURE_ID), and E is the newest but
 * holds only rows of a non-current calc version, so the current-version views
 * show C, and the raw view (no version) shows E. 2025-11-07/NMS_TIER_1 has D only.
 */
const CAPTURES = [
  { id: 'cap_A', week: '2025-11-14', tier: 'OTC', at: '2025-12-15 10:00:00' },
  { id: 'cap_B', week: '2025-11-14', tier: 'OTC', at: '2025-12-16 09:00:00' },
  { id: 'cap_C', week: '2025-11-14', tier: 'OTC', at: '2025-12-16 09:00:00' },
  { id: 'cap_D', week: '2025-11-07', tier: 'NMS_TIER_1', at: '2025-11-24 12:00:00' },
  { id: 'cap_E', week: '2025-11-14', tier: 'OTC', at: '2025-12-17 08:00:00' },
] as const;
type Capture = (typeof CAPTURES)[number];

/** Rows per capture in every calc table: [capture, symbol, mpid, calc version]. */
const CALC_ROWS: readonly (readonly [Capture, string, string, string])[] = [
  [CAPTURES[0], 'AAPL', 'CDRG', 'v1'],
  [CAPTURES[1], 'AAPL', 'CDRG', 'v1'],
  [CAPTURES[2], 'AAPL', 'CDRG', 'v1'],
  [CAPTURES[2], 'BRK.B', 'JNST', 'v1'],
  [CAPTURES[3], 'TSLA', 'VIRT', 'v1'],
  [CAPTURES[4], 'AAPL', 'CDRG', 'v0'],
];

/** The calc tables, their `*_latest` view's calc name, and the columns each row adds. */
const CALC_TABLES: readonly { table: string; calc: string; columns: (symbol: string, mpid: string, i: number) => Record<string, Value> }[] = [
  {
    table: 'FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_VOLUME',
    calc: 'weekly_symbol_venue_volume',
    columns: (symbol, mpid, i) => ({ SYMBOL: symbol, MPID: mpid, ISSUE_NAME: `${symbol} Inc.`, MARKET_PARTICIPANT_NAME: `${mpid} LLC`, TOTAL_VOLUME: 3_000_000_000 + i, TRADE_COUNT: 1000 + i, SOURCE_LAST_UPDATE_DATE: i % 2 === 0 ? '2025-12-15' : null }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY',
    calc: 'symbol_summary',
    columns: (symbol, _mpid, i) => ({ SYMBOL: symbol, ISSUE_NAME: null, TOTAL_VOLUME: 5000 + i, TOTAL_TRADES: 50, VENUE_COUNT: 3, AVG_TRADE_SIZE: i % 2 === 0 ? 100.5 : null }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_SHARE',
    calc: 'weekly_symbol_venue_share',
    columns: (symbol, mpid, i) => ({ SYMBOL: symbol, MPID: mpid, VENUE_VOLUME: 2500, SYMBOL_VOLUME: 5000 + i, VENUE_SHARE: 0.5, VENUE_RANK: 1 }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_VENUE_SHARE',
    calc: 'venue_market_share',
    columns: (_symbol, mpid, i) => ({ MPID: mpid, MARKET_PARTICIPANT_NAME: `${mpid} LLC`, TOTAL_VOLUME: 9000 + i, TOTAL_TRADES: 90, SYMBOL_COUNT: 12, MARKET_SHARE: 0.125, '"RANK"': i + 1 }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_CONCENTRATION_HHI',
    calc: 'venue_concentration_hhi',
    columns: (symbol, _mpid, i) => ({ SYMBOL: symbol, VENUE_COUNT: 4, TOTAL_VOLUME: 7000 + i, HHI: 0.3125 }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_SYMBOL_ROLLING_6W',
    calc: 'symbol_rolling_6w',
    columns: (symbol, _mpid, i) => ({ SYMBOL: symbol, WINDOW_START: '2025-10-10', AVG_6W_VOLUME: 4000, AVG_6W_TRADES: 40, TREND_DIRECTION: 'UP', TREND_PCT: i % 2 === 0 ? '12.5000' : null, WEEKS_IN_WINDOW: i % 2 === 0 ? 6 : 5, IS_COMPLETE_WINDOW: i % 2 === 0 ? 1 : 0 }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_RESEARCH_SNAPSHOT',
    calc: 'research_snapshot',
    columns: (symbol, mpid, i) => ({ SYMBOL: symbol, TOTAL_VOLUME: 5000, TOTAL_TRADES: 50, VENUE_COUNT: 3, TOP_VENUE_MPID: mpid, TOP_VENUE_SHARE_PCT: '50.0000', AVG_TRADE_SIZE: '100.0000', HHI: i % 2 === 0 ? 0.3125 : null, ROLLING_AVG_6W_VOLUME: 4000, ROLLING_AVG_6W_TRADES: 40, ROLLING_TREND_DIRECTION: 'FLAT', ROLLING_WEEKS_AVAILABLE: 6, ROLLING_IS_COMPLETE: 1, HAS_ROLLING_DATA: 1, QUALITY_STATUS: 'PASS' }),
  },
];

const RAW_VIEW = 'FINRA_OTC_TRANSPARENCY_RAW_LATEST';

function finraRows(): Rows[] {
  const lineage = (capture: Capture) => ({ CAPTURE_ID: capture.id, CAPTURED_AT: capture.at, EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1' });
  return [
    {
      table: 'FINRA_OTC_TRANSPARENCY_CAPTURES',
      rows: CAPTURES.map((c, i) => ({
        CAPTURE_ID: c.id, WEEK_ENDING: c.week, TIER: c.tier, WEEK_ENDING_SOURCE: i === 3 ? 'file' : 'derived', LOAD_ID: 'load_1', SOURCE_TYPE: 'file',
        SOURCE_LOCATOR: `/data/finra/${c.id}.csv`, SOURCE_SHA256: String(i).repeat(64), SOURCE_BYTES: 1000 + i, SOURCE_FORMAT: 'finra_website_export',
        SOURCE_LAST_UPDATE_DATE: i === 3 ? null : '2025-12-15', SOURCE_INITIAL_PUBLISHED_DATE: i === 3 ? '2025-11-24' : null, LINES_TOTAL: 3, ...(i === 0 ? {} : { STAGE: 'SNAPSHOT' }), CAPTURED_AT: c.at, EXECUTION_ID: 'exe_week', BATCH_ID: i === 1 ? null : 'bat_1',
      })),
    },
    {
      table: 'FINRA_OTC_TRANSPARENCY_RAW',
      rows: CALC_ROWS.map(([capture, symbol, mpid], i) => ({
        ...lineage(capture), LOAD_ID: 'load_1', LINE_NUMBER: i + 2, WEEK_ENDING: capture.week, TIER: capture.tier, SOURCE_TIER: 'OTC', SOURCE_WEEK_ENDING: null,
        SYMBOL: symbol, ISSUE_NAME: `${symbol} Inc.`, MARKET_PARTICIPANT_NAME: `${mpid} LLC`, MPID: mpid, TOTAL_WEEKLY_SHARE_QUANTITY: 3_000_000_000, TOTAL_WEEKLY_TRADE_COUNT: 10,
        SOURCE_LAST_UPDATE_DATE: '2025-12-15', RAW_LINE: `OTC|${symbol}|${symbol} Inc.|${mpid} LLC|${mpid}|3000000000|10|2025-12-15`, RECORD_HASH: 'd'.repeat(64),
      })),
    },
    {
      table: 'FINRA_OTC_TRANSPARENCY_REJECTS',
      rows: [
        { LOAD_ID: 'load_1', CAPTURE_ID: 'cap_C', WEEK_ENDING: '2025-11-14', TIER: 'OTC', SOURCE_LOCATOR: '/data/finra/cap_C.csv', LINE_NUMBER: 9, RAW_LINE: 'OTC|aapl|x|y|CDRG|1|1|2025-12-15', RAW_RECORD_HASH: 'e'.repeat(64), STAGE: 'NORMALIZE', REASON_CODE: 'INVALID_SYMBOL', REASON_DETAIL: 'symbol "aapl" is not upper case', EXECUTION_ID: 'exe_week', BATCH_ID: 'bat_1', CREATED_AT: '2025-12-16 09:00:00' },
        { LOAD_ID: 'load_1', CAPTURE_ID: null, WEEK_ENDING: null, TIER: null, SOURCE_LOCATOR: '/data/finra/other.csv', LINE_NUMBER: 2, RAW_LINE: '2025-13-40|OTC|AAPL|CDRG|1|1', RAW_RECORD_HASH: 'f'.repeat(64), STAGE: 'INGEST', REASON_CODE: 'INVALID_DATE', REASON_DETAIL: 'WeekEnding is not a date', EXECUTION_ID: 'exe_week', BATCH_ID: null, CREATED_AT: '2025-12-16 09:00:00' },
      ],
    },
    ...CALC_TABLES.map(({ table, calc, columns }) => ({
      table,
      rows: CALC_ROWS.map(([capture, symbol, mpid, version], i) => ({
        WEEK_ENDING: capture.week, TIER: capture.tier, ...columns(symbol, mpid, i), CALC_NAME: calc, CALC_VERSION: version, ...lineage(capture), CALCULATED_AT: '2025-12-17 09:00:00',
      })),
    })),
    // FINRA Query API symbol totals (0010): a revised week and a first publication, in capture D's week.
    ...SYMBOL_TOTAL_TABLES.map(({ table, calc, columns }) => ({
      table,
      rows: [0, 1].map((i) => ({
        WEEK_ENDING: '2025-11-07', TIER: 'NMS_TIER_1', ...columns(i === 0 ? 'AAPL' : 'BRK.B', i), CALC_NAME: calc, CALC_VERSION: 'v1', ...lineage(CAPTURES[3]), CALCULATED_AT: '2025-12-17 09:00:00',
      })),
    })),
  ];
}

/** The tables of the FINRA Query API symbol totals, with the columns each row adds. */
const SYMBOL_TOTAL_TABLES: readonly { table: string; calc: string; columns: (symbol: string, i: number) => Record<string, Value> }[] = [
  {
    table: 'FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_TOTAL',
    calc: 'weekly_symbol_total',
    columns: (symbol, i) => ({
      SYMBOL: symbol, SUMMARY_TYPE_CODE: 'ATS_W_SMBL', WEEK_START_DATE: '2025-11-03', ISSUE_NAME: i === 0 ? 'Apple Inc. Common Stock' : null, PRODUCT_TYPE_CODE: i === 0 ? 'UTP' : null,
      TOTAL_VOLUME: 37_839_888 + i, TOTAL_TRADES: 676_325, AVG_TRADE_SIZE: i === 0 ? 55.95 : null, TOTAL_NOTIONAL: i === 0 ? '12349750810.604021' : null,
      INITIAL_PUBLISHED_DATE: '2025-11-24', SOURCE_LAST_UPDATE_DATE: i === 0 ? '2025-12-01' : '2025-11-24', LAST_REPORTED_DATE: i === 0 ? '2025-11-07' : null,
      IS_REVISION: i === 0 ? 1 : 0, RECORD_NUMBER: i + 1, RECORD_HASH: String(i).repeat(64),
    }),
  },
  {
    table: 'FINRA_OTC_TRANSPARENCY_SYMBOL_TOTAL_ROLLING_6W',
    calc: 'symbol_total_rolling_6w',
    columns: (symbol, i) => ({ SYMBOL: symbol, WINDOW_START: '2025-10-03', AVG_6W_VOLUME: 36_487_857, AVG_6W_TRADES: 679_296, TREND_DIRECTION: 'DOWN', TREND_PCT: i === 0 ? '-46.53' : null, WEEKS_IN_WINDOW: 6 - i, IS_COMPLETE_WINDOW: i === 0 ? 1 : 0 }),
  },
];

// ---------------------------------------------------------------------------
// CHECK probes: values the SQLite schema accepts must be accepted in Derby,
// values it refuses must be refused.
// ---------------------------------------------------------------------------

const SYMBOL_PROBES = ['AAPL', 'BRK.B', 'A', 'ABCDEFGHIJKLMNOP', 'A.B/C-D9', 'Z9', 'B/', 'AB-', 'aapl', 'Aapl', '.AB', '/AB', '-AB', 'A B', 'AB ', ' AB', 'AB$', 'A_B', 'A%B', 'A*B', '', 'ABCDEFGHIJKLMNOPQ'];
const MPID_PROBES = ['ABCD', 'A1B2', '9999', 'abcd', 'AB1', 'ABCDE', 'AB-1', 'AB D', 'AB_1', 'AB%1', ''];
const WINDOW_PROBES: readonly (readonly [number, number])[] = [[6, 1], [5, 0], [1, 0], [5, 1], [6, 0], [6, 2], [0, 0], [7, 0], [7, 1]];

interface Probe {
  readonly label: string;
  readonly table: string;
  readonly row: Readonly<Record<string, Value>>;
  /** The DB2 schema refuses it although SQLite accepts it (DATE is stricter than SQLite's GLOB shape check). */
  readonly db2Stricter?: boolean;
}

function probes(): Probe[] {
  const base = { WEEK_ENDING: '2025-11-07', TIER: 'NMS_TIER_1', CALC_NAME: 'probe', CALC_VERSION: 'v1', CAPTURE_ID: 'cap_D', CAPTURED_AT: '2025-11-24 12:00:00', EXECUTION_ID: 'exe_probe', BATCH_ID: null, CALCULATED_AT: '2025-11-24 12:00:00' };
  const volume = { ISSUE_NAME: null, MARKET_PARTICIPANT_NAME: null, TOTAL_VOLUME: 1, TRADE_COUNT: 1, SOURCE_LAST_UPDATE_DATE: null };
  const rolling = { SYMBOL: 'ROLL', WINDOW_START: '2025-10-03', AVG_6W_VOLUME: 1, AVG_6W_TRADES: 1, TREND_DIRECTION: 'FLAT', TREND_PCT: null };
  return [
    ...SYMBOL_PROBES.map((symbol) => ({ label: `SYMBOL ${JSON.stringify(symbol)}`, table: CALC_TABLES[0]!.table, row: { ...base, ...volume, SYMBOL: symbol, MPID: 'PRBE' } })),
    ...MPID_PROBES.map((mpid) => ({ label: `MPID ${JSON.stringify(mpid)}`, table: CALC_TABLES[0]!.table, row: { ...base, ...volume, SYMBOL: 'PROBE', MPID: mpid } })),
    ...WINDOW_PROBES.map(([weeks, complete], i) => ({
      label: `WEEKS_IN_WINDOW ${weeks} IS_COMPLETE_WINDOW ${complete}`,
      table: CALC_TABLES[5]!.table,
      row: { ...base, ...rolling, CALC_VERSION: `p${i}`, WEEKS_IN_WINDOW: weeks, IS_COMPLETE_WINDOW: complete },
    })),
    { label: 'WEEK_ENDING 2025-02-30 (GLOB shape ok, not a date)', table: CALC_TABLES[0]!.table, row: { ...base, ...volume, SYMBOL: 'DATE', MPID: 'PRBE', WEEK_ENDING: '2025-02-30' }, db2Stricter: true },
    { label: 'lines_total <> accepted + rejected', table: 'CORE_LOAD_RECORDS', row: { LOAD_ID: 'load_bad', DOMAIN: 'd', SOURCE_TYPE: 'file', SOURCE_LOCATOR: 'x', SOURCE_SHA256: HASH_A, SOURCE_BYTES: 1, STATUS: 'LOADED', LINES_TOTAL: 3, ROWS_ACCEPTED: 1, ROWS_REJECTED: 1, EXECUTION_ID: 'e', STARTED_AT: '2025-12-16 09:00:00' } },
  ];
}

/** Which probes the SQLite schema (portable scripts) accepts: the reference for the DB2 rewrite of its CHECKs. */
function sqliteVerdicts(sqlite: Database.Database, list: readonly Probe[]): boolean[] {
  const toSqlite = (table: string) => table.toLowerCase();
  return list.map((probe) => {
    const savepoint = 'probe';
    sqlite.exec(`SAVEPOINT ${savepoint}`);
    try {
      sqlite.exec(insertSql(toSqlite(probe.table), probe.row));
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_CHECK') throw error;
      return false;
    } finally {
      sqlite.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
    }
  });
}

// ---------------------------------------------------------------------------
// The expected DB2-only statements (skipped in Derby), visible here on purpose.
// ---------------------------------------------------------------------------

const COMMENT_REASON = 'COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement';
const REORG_REASON = 'REORG: DB2 leaves a table REORG-pending after DROP COLUMN; Derby has no REORG';
const FK_INDEX_REASON = 'Derby indexes every FOREIGN KEY itself, so it skipped this same-columns CREATE INDEX (warning 01504); DB2 created it';
/** [migration, up | down, statement, reason] of every `-- spine:db2-only` statement. */
const EXPECTED_DB2_ONLY = [
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_CAPTURES', COMMENT_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.WEEK_ENDING', COMMENT_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.SOURCE_LAST_UPDATE_DATE', COMMENT_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.CAPTURED_AT', COMMENT_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_RAW', COMMENT_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_REJECTS', COMMENT_REASON],
  ['domains-finra/basic/0002_weekly_symbol_venue_volume', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_VOLUME', COMMENT_REASON],
  ['domains-finra/basic/0003_symbol_summary', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY', COMMENT_REASON],
  ['domains-finra/basic/0004_weekly_symbol_venue_share', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_SHARE', COMMENT_REASON],
  ['domains-finra/basic/0005_venue_share', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_VENUE_SHARE', COMMENT_REASON],
  ['domains-finra/basic/0006_weekly_symbol_venue_concentration_hhi', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_CONCENTRATION_HHI', COMMENT_REASON],
  ['domains-finra/basic/0007_symbol_rolling_6w', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_SYMBOL_ROLLING_6W', COMMENT_REASON],
  ['domains-finra/basic/0008_research_snapshot', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_RESEARCH_SNAPSHOT', COMMENT_REASON],
  ['domains-finra/basic/0010_weekly_symbol_total', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_TOTAL', COMMENT_REASON],
  ['domains-finra/basic/0010_weekly_symbol_total', 'up', 'COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_SYMBOL_TOTAL_ROLLING_6W', COMMENT_REASON],
  ['domains-finra/basic/0010_weekly_symbol_total', 'down', "CALL SYSPROC.ADMIN_CMD('REORG TABLE FINRA_OTC_TRANSPARENCY_CAPTURES')", REORG_REASON],
  ['domains-finra/basic/0001_captures_raw_rejects', 'down', 'DROP INDEX IDX_FOTC_REJECTS_CAPTURE', FK_INDEX_REASON],
  ['core/intermediate/0004_workflow_step_runs', 'down', 'DROP INDEX IDX_STEP_RUNS_RUN', FK_INDEX_REASON],
  ['core/intermediate/0002_scheduler_runs', 'down', 'DROP INDEX IDX_SCHEDULER_RUNS_SCHEDULE', FK_INDEX_REASON],
  ['core/basic/0001_core_executions', 'down', 'DROP INDEX IDX_CORE_EXECUTIONS_PARENT', FK_INDEX_REASON],
];

/**
 * Indexes of the SQLite scripts the DB2 scripts leave out on purpose:
 * idx_source_configs_name duplicates the UNIQUE constraint's index on NAME,
 * which DB2 refuses to create twice (SQL0605W), so its DROP INDEX would fail.
 */
const SQLITE_ONLY_INDEXES = ['IDX_SOURCE_CONFIGS_NAME'];

/**
 * Derby (not DB2) backs every FOREIGN KEY with an index; a CREATE INDEX on
 * exactly the foreign key's columns is then not created (warning 01504), so
 * Derby's catalog lacks these and their DROP INDEX is DB2-only.
 */
const DERBY_FK_DUPLICATE_INDEXES = ['IDX_CORE_EXECUTIONS_PARENT', 'IDX_SCHEDULER_RUNS_SCHEDULE', 'IDX_STEP_RUNS_RUN', 'IDX_FOTC_REJECTS_CAPTURE'];

const DB2_FLAGS = ['ENABLED', 'SUCCESS', 'QUALITY_PASSED', 'IS_COMPLETE_WINDOW', 'ROLLING_IS_COMPLETE', 'HAS_ROLLING_DATA', 'IS_REVISION'];
const DB2_DATES = ['WEEK_ENDING', 'WINDOW_START', 'SOURCE_LAST_UPDATE_DATE', 'SOURCE_INITIAL_PUBLISHED_DATE', 'WEEK_START_DATE', 'INITIAL_PUBLISHED_DATE', 'LAST_REPORTED_DATE'];

/** The SQLite name → DB2 name of the ledger tables; other tables are upper-cased. */
const LEDGER_TABLE_NAMES: Readonly<Record<string, string>> = { _migrations: DB2_MIGRATIONS_TABLE, _migration_log: DB2_MIGRATION_LOG_TABLE };
const db2TableName = (sqliteName: string): string => LEDGER_TABLE_NAMES[sqliteName] ?? sqliteName.toUpperCase();
/** A column key of a fixture row without its quotes (`"RANK"` → `RANK`). */
const unquote = (column: string): string => column.replace(/^"(.*)"$/, '$1');

// ---------------------------------------------------------------------------

describe('db2MigrationScript', () => {
  const { migrations } = db2Migrations();
  const loaded = migrations.map((m) => m.db2);

  it('lists every statement with its migration, file line and db2-only reason, in apply order', () => {
    const plan = db2MigrationScript(loaded);
    const expected = loaded.flatMap((m) => splitDb2Statements(m.script, m.path).map((s) => ({ migrationId: m.id, text: s.text, line: s.line, db2Only: s.db2Only })));
    expect(plan.statements).toEqual(expected);
    const first = plan.statements[0];
    expect(first?.migrationId).toBe('core/basic/0001_core_executions');
    expect(first?.text).toMatch(/^CREATE TABLE CORE_EXECUTIONS \(/);
    expect(first?.line).toBe((loaded[0]?.script.split('\n').findIndex((l) => l.startsWith('CREATE TABLE')) ?? -2) + 1);
  });

  it('writes the ledger DDL, then per migration a header, its statements ended by ; and its ledger row', () => {
    const plan = db2MigrationScript(loaded);
    const statements = splitDb2Statements(plan.script, 'db2-plan.sql');
    const expected = [
      ...DB2_LEDGER_DDL.map((text) => ({ text, db2Only: null as string | null })),
      ...loaded.flatMap((m) => [
        ...splitDb2Statements(m.script, m.path).map(({ text, db2Only }) => ({ text, db2Only })),
        { text: expect.stringMatching(new RegExp(`^INSERT INTO ${DB2_MIGRATIONS_TABLE} \\(MIGRATION_ID, "PACKAGE", .*\\)\\nVALUES \\('${m.id}', '${m.definition.source.packageName}', '${m.definition.source.version}', '${m.definition.tier}', 'db2', `)), db2Only: null },
      ]),
    ];
    expect(statements.map(({ text, db2Only }) => ({ text, db2Only }))).toEqual(expected);
    for (const m of loaded) {
      expect(plan.script).toContain(`-- ${m.id}: ${m.description}\n`);
      expect(plan.script).toContain(`-- checksum sha256 ${m.checksum}\n`);
      expect(plan.script).toContain(`'${m.checksum}', CURRENT TIMESTAMP, '${DB2_SCRIPT_APPLIED_BY}', 0, 1, ${m.downChecksum === null ? 'NULL' : `'${m.downChecksum}'`}, ${loaded.indexOf(m) + 1}, 'migrate');`);
    }
    expect(plan.script.endsWith(';\n')).toBe(true);
  });

  it("doubles quotes in the ledger row's literals", () => {
    const m = loaded[0] as LoadedMigration;
    const plan = db2MigrationScript([{ ...m, description: "it's the 'core' table" }]);
    expect(plan.script).toContain(`, 'db2', 'it''s the ''core'' table', '${m.checksum}', CURRENT TIMESTAMP,`);
    expect(splitDb2Statements(plan.script, 'db2-plan.sql').at(-1)?.text).toMatch(/^INSERT INTO/);
  });

  it('refuses a migration loaded for another dialect, one without a .db2.sql script, and one given twice', () => {
    const m = loaded[0] as LoadedMigration;
    const portableOnly: LoadedMigration = { ...m, definition: { ...m.definition, up: new Map([['portable', m.definition.up.get('portable') as string]]) } };
    const cases: [readonly LoadedMigration[], string, RegExp][] = [
      [[migrations[0]!.portable], ErrorCode.INVALID_ARGUMENT, /loaded for sqlite, not db2/],
      [[portableOnly], ErrorCode.MIGRATION_BAD_FILE, /has no DB2 script/],
      [[m, m], ErrorCode.INVALID_ARGUMENT, /given twice/],
    ];
    for (const [input, code, message] of cases) {
      let thrown: unknown;
      try {
        db2MigrationScript(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SpineError);
      expect((thrown as SpineError).code).toBe(code);
      expect((thrown as SpineError).message).toMatch(message);
    }
  });
});

describe('DB2 DDL (every migration, run in Apache Derby)', () => {
  const { migrations, notForDb2 } = db2Migrations();
  let sqlite: Database.Database;

  beforeAll(async () => {
    // The portable scripts on SQLite, with the SQLite ledger: the reference the DB2 schema is compared with.
    const dialect = openSqliteDialect({ path: ':memory:' });
    const ledgerDdl = [...dialect.ledgerDdl];
    await dialect.close();
    sqlite = new Database(':memory:');
    sqlite.pragma('foreign_keys = ON');
    for (const statement of ledgerDdl) sqlite.exec(statement);
    for (const m of migrations) sqlite.exec(m.portable.script);
    // The FINRA rows too: the probes refer to their captures, and the views are compared.
    for (const { table, rows } of finraRows()) for (const row of rows) sqlite.exec(insertSql(table.toLowerCase(), row));
  });

  afterAll(() => {
    sqlite?.close();
  });

  it('has a DB2 up and down script beside every portable migration; PostgreSQL-only migrations have none', () => {
    expect(migrations.length).toBeGreaterThanOrEqual(21);
    expect(notForDb2).toEqual(['core/intermediate/0006_workflow_runs_params_gin', 'core/intermediate/0007_workflow_runs_partitioned']);
    for (const m of migrations) {
      expect(m.db2.path, m.id).toMatch(/\.db2\.sql$/);
      expect(m.db2.down?.path, m.id).toMatch(/\.down\.db2\.sql$/);
      expect(m.db2.description, m.id).toBe(m.portable.description);
      expect(m.db2.down?.directives.description, m.id).toBe(m.portable.down?.directives.description);
      const withoutComments = (script: string | undefined) => (script ?? '').replace(/--.*$/gm, '');
      expect(withoutComments(m.db2.script), m.id).not.toMatch(/IF\s+(NOT\s+)?EXISTS/i);
      expect(withoutComments(m.db2.down?.script), m.id).not.toMatch(/IF\s+(NOT\s+)?EXISTS/i);
      expect(withoutComments(m.db2.script), m.id).not.toMatch(/\b(GLOB|TEXT|AUTOINCREMENT|REAL)\b/);
    }
  });

  it('creates, fills, reads and drops the whole schema in Derby', (ctx) => {
    const ij = onPath('ij');
    if (ij === undefined) {
      if (DERBY_REQUIRED) throw new Error(INSTALL_HINT);
      ctx.skip(`skipped: ${INSTALL_HINT}`);
      return;
    }
    // Derby writes derby.log where it runs: a directory of its own, removed when the test passes.
    const workDir = mkdtempSync(join(tmpdir(), 'spine-db2-'));

    // 1. The DB2 script of every migration (ledger DDL, migrations, ledger rows), minus the DB2-only statements.
    const plan = db2MigrationScript(migrations.map((m) => m.db2));
    const skipped: string[][] = [];
    const upSteps: Step[] = [];
    let planned = 0;
    for (const statement of splitDb2Statements(plan.script, 'db2-plan.sql')) {
      const fromMigration = plan.statements[planned];
      let origin = `DB2 script line ${statement.line}`;
      if (fromMigration !== undefined && fromMigration.text === statement.text) {
        origin = `${fromMigration.migrationId} (.db2.sql line ${fromMigration.line})`;
        planned += 1;
        if (statement.db2Only !== null) skipped.push([fromMigration.migrationId, 'up', summary(statement.text), statement.db2Only]);
      }
      if (statement.db2Only === null) upSteps.push({ sql: statement.text, origin });
    }
    expect(planned, 'every migration statement is in the script').toBe(plan.statements.length);

    // 2. The catalog and the ledger after the script.
    const catalogSteps: Step[] = [{ sql: CATALOG_TABLES }, { sql: CATALOG_COLUMNS }, { sql: CATALOG_INDEXES }, { sql: LEDGER_ROWS }];

    // 3. Rows into every table, read back; every view read.
    const fixture = [...coreRows(migrations), ...finraRows()];
    const insertSteps: Step[] = fixture.flatMap(({ table, rows }) => rows.map((row) => ({ sql: insertSql(table, row), origin: table })));
    const readSteps: Step[] = fixture.flatMap(({ table }) => [{ sql: `SELECT * FROM ${table}` }, { sql: countSql(table) }]);
    // Each calc's *_LATEST (current version) and its v1 view (0009) show the same rows.
    const views = [RAW_VIEW, ...CALC_TABLES.flatMap((t) => [`${t.table}_LATEST`, `${t.table}_V1_LATEST`])];
    const viewSteps: Step[] = views.flatMap((view) => [
      { sql: `SELECT * FROM ${view}` },
      { sql: `SELECT 'VIEW|${view}|' || CAPTURE_ID FROM ${view} ORDER BY CAPTURE_ID` },
    ]);
    const cascadeSteps: Step[] = [
      { sql: `DELETE FROM WORKFLOW_RUNS WHERE RUN_ID = 'wr_b'` },
      { sql: `SELECT 'CASCADE|' || RUN_ID || '|' || STEP_ID FROM WORKFLOW_STEP_RUNS ORDER BY STEP_ID` },
      { sql: `SELECT 'IDENTITY|' || TRIM(CHAR(MIN(CHECK_ID))) || '|' || TRIM(CHAR(MAX(CHECK_ID))) FROM CORE_QUALITY_CHECKS` },
      { sql: `SELECT 'DEFAULTS|' || CAST(ENABLED AS CHAR(1)) || '|' || CASE WHEN CREATED_AT IS NOT NULL AND UPDATED_AT IS NOT NULL THEN 'now' ELSE 'null' END FROM CORE_SOURCE_CONFIGS WHERE SOURCE_ID = 'src_finra_api'` },
    ];

    // 4. CHECK probes, inside a transaction that is rolled back.
    const probeList = probes();
    const verdicts = sqliteVerdicts(sqlite, probeList);
    const probeSteps: Step[] = [
      { sql: 'autocommit off' },
      ...probeList.map((probe, i): Step => ({
        sql: insertSql(probe.table, probe.row),
        origin: `probe ${probe.label}`,
        ...(verdicts[i] && !probe.db2Stricter ? {} : { expect: 'refused' as const, codes: ['23513', '22001', '22007', '22008'] }),
      })),
      { sql: 'rollback' },
      { sql: 'autocommit on' },
    ];

    // 5. The down scripts in reverse order, the catalog again, then every up script again.
    const downSteps: Step[] = [];
    for (const m of [...migrations].reverse()) {
      for (const statement of splitDb2Statements(m.db2.down?.script ?? '', m.db2.down?.path ?? m.id)) {
        if (statement.db2Only !== null) skipped.push([m.id, 'down', summary(statement.text), statement.db2Only]);
        else downSteps.push({ sql: statement.text, origin: `${m.db2.down?.path}:${statement.line}` });
      }
    }
    const finalSteps: Step[] = [{ sql: CATALOG_TABLES }, { sql: CATALOG_INDEXES }];
    const againSteps: Step[] = plan.statements.filter((s) => s.db2Only === null).map((s) => ({ sql: s.text, origin: `${s.migrationId} (.db2.sql line ${s.line}), after the down scripts` }));
    const againCatalog: Step = { sql: CATALOG_TABLES };

    // The statements Derby skips, with their reasons: a new DB2-only statement must be added to EXPECTED_DB2_ONLY.
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped).toEqual(EXPECTED_DB2_ONLY);

    const steps = [...upSteps, ...catalogSteps, ...insertSteps, ...readSteps, ...viewSteps, ...cascadeSteps, ...probeSteps, ...downSteps, ...finalSteps, ...againSteps, againCatalog];
    const results = runIj(ij, steps, workDir);
    const at = (step: Step): StepResult => results[steps.indexOf(step)] as StepResult;

    // Every statement succeeded, except the probes that SQLite refuses too — and those were refused.
    const failures = results
      .filter((r) => (r.step.expect === 'refused' ? !(r.error && r.step.codes?.some((c) => r.error?.startsWith(`ERROR ${c}`))) : r.error !== undefined))
      .map((r) => `${r.step.origin ?? 'statement'}: ${r.error ?? 'was accepted, but the SQLite schema refuses it'}\n  ${r.step.sql.split('\n').join('\n  ')}`);
    expect(failures, `Derby errors (script and output in ${workDir})`).toEqual([]);
    const warnings = results.flatMap((r) => r.warnings.map((w) => `${(/CREATE INDEX (\w+)/.exec(r.step.sql) ?? [])[1] ?? r.step.origin}: ${w.slice(0, 13)}`));
    // Once for the up script, once for the second up run after the downs.
    expect(warnings.sort()).toEqual(DERBY_FK_DUPLICATE_INDEXES.flatMap((index) => [`${index}: WARNING 01504`, `${index}: WARNING 01504`]).sort());

    // The catalog matches the portable schema on SQLite: same tables, views, columns (names and order), indexes.
    const sqliteObjects = sqlite.prepare(`SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND (type <> 'index' OR sql IS NOT NULL)`).all() as { type: string; name: string }[];
    const derbyTables = taggedRows(at(catalogSteps[0]!), 'TAB');
    expect(derbyTables.filter(([, kind]) => kind === 'T').map(([name]) => name).sort()).toEqual(sqliteObjects.filter((o) => o.type === 'table').map((o) => db2TableName(o.name)).sort());
    expect(derbyTables.filter(([, kind]) => kind === 'V').map(([name]) => name).sort()).toEqual(sqliteObjects.filter((o) => o.type === 'view').map((o) => o.name.toUpperCase()).sort());
    expect(derbyTables.filter(([name]) => (name as string).length > 128)).toEqual([]);

    const derbyColumns = taggedRows(at(catalogSteps[1]!), 'COL').map(([table, column, position, identity, type]) => ({
      table: table as string,
      column: column as string,
      position: Number(position),
      identity: identity === 'Y',
      type: type as string,
    }));
    const sqliteColumns = sqliteObjects
      .filter((o) => o.type === 'table' || o.type === 'view')
      .flatMap((o) => (sqlite.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(o.name) as { name: string; type: string }[]).map((c) => ({ table: db2TableName(o.name), column: c.name.toUpperCase(), sqliteType: c.type })));
    // Same columns in the same order, table by table (views included: T.* keeps the table's order).
    const byTable = (list: { table: string; column: string }[]) => [...list].sort((a, b) => a.table.localeCompare(b.table)).map((c) => `${c.table}.${c.column}`);
    expect(byTable([...derbyColumns].sort((a, b) => a.position - b.position))).toEqual(byTable(sqliteColumns));
    expect(derbyColumns.filter((c) => c.column.length > 128)).toEqual([]);
    for (const c of derbyColumns) {
      const sqliteType = sqliteColumns.find((s) => s.table === c.table && s.column === c.column)?.sqliteType ?? '';
      // ij cuts the type text to its column width ("TIMESTAMP NOT &"): the leading type name is enough here.
      const base = /^[A-Z]+/.exec(c.type)?.[0] ?? '';
      expect(base, `${c.table}.${c.column}`).not.toBe('');
      if (DB2_DATES.includes(c.column)) expect(base, `${c.table}.${c.column}`).toBe('DATE');
      else if (/(^|_)AT$/.test(c.column)) expect(base, `${c.table}.${c.column}`).toBe('TIMESTAMP');
      else if (DB2_FLAGS.includes(c.column)) expect(base, `${c.table}.${c.column}`).toBe('SMALLINT');
      else if (sqliteType === 'REAL') expect(base, `${c.table}.${c.column}`).toBe('DOUBLE');
      else if (sqliteType === 'INTEGER') expect(['INTEGER', 'BIGINT'], `${c.table}.${c.column}`).toContain(base);
      else expect(['VARCHAR', 'CLOB'], `${c.table}.${c.column}`).toContain(base);
    }
    // The fixture, read against the catalog: rows for every table, a value for every column but the identity ones.
    const tables = derbyTables.filter(([, kind]) => kind === 'T').map(([name]) => name as string);
    expect(fixture.map((f) => f.table).sort()).toEqual([...tables].sort());
    const fixtureColumns = new Map(fixture.map(({ table, rows }) => [table, new Set(rows.flatMap((row) => Object.keys(row).map(unquote)))]));
    const uncovered = derbyColumns.filter((c) => tables.includes(c.table) && !c.identity && !fixtureColumns.get(c.table)?.has(c.column)).map((c) => `${c.table}.${c.column}`);
    expect(uncovered, 'columns no fixture row writes').toEqual([]);
    expect(derbyColumns.filter((c) => c.identity).map((c) => `${c.table}.${c.column}`).sort()).toEqual(['CORE_QUALITY_CHECKS.CHECK_ID', 'FINRA_OTC_TRANSPARENCY_REJECTS.REJECT_ID', `${DB2_MIGRATION_LOG_TABLE}.LOG_ID`].sort());

    const derbyIndexes = taggedRows(at(catalogSteps[2]!), 'IDX').map(([, name]) => name as string);
    const sqliteIndexes = sqliteObjects.filter((o) => o.type === 'index').map((o) => o.name.toUpperCase());
    expect(derbyIndexes.sort()).toEqual(sqliteIndexes.filter((i) => !SQLITE_ONLY_INDEXES.includes(i) && !DERBY_FK_DUPLICATE_INDEXES.includes(i)).sort());

    // The script recorded every migration in the ledger, in apply order.
    expect(taggedRows(at(catalogSteps[3]!), 'LEDGER')).toEqual(
      migrations.map((m, i) => [m.id, m.db2.definition.source.packageName, 'db2', m.db2.checksum, m.db2.downChecksum ?? '-', String(i + 1), DB2_SCRIPT_APPLIED_BY, 'migrate', 'now']),
    );

    // Every table holds its rows; every view shows the newest capture of the current version, as SQLite's does.
    const counts = Object.fromEntries(readSteps.filter((s) => s.sql.startsWith("SELECT 'COUNT|")).flatMap((s) => taggedRows(at(s), 'COUNT')).map(([t, n]) => [t, Number(n)]));
    expect(counts).toEqual(Object.fromEntries(fixture.map(({ table, rows }) => [table, rows.length + (table === DB2_MIGRATIONS_TABLE ? migrations.length : 0)])));
    for (const view of views) {
      const derbyView = taggedRows(at(viewSteps.find((s) => s.sql.startsWith(`SELECT 'VIEW|${view}|'`))!), 'VIEW').map(([, capture]) => capture);
      const sqliteView = (sqlite.prepare(`SELECT capture_id FROM ${view.toLowerCase()} ORDER BY capture_id`).all() as { capture_id: string }[]).map((r) => r.capture_id);
      expect(derbyView, view).toEqual(sqliteView);
      expect(derbyView, view).toEqual(view === RAW_VIEW ? ['cap_D', 'cap_E'] : ['cap_C', 'cap_C', 'cap_D']);
    }

    // ON DELETE CASCADE removed wr_b's step; identity numbered the quality checks; defaults filled in.
    expect(taggedRows(at(cascadeSteps[1]!), 'CASCADE')).toEqual([['wr_a', 'st_a1'], ['wr_a', 'st_a2']]);
    expect(taggedRows(at(cascadeSteps[2]!), 'IDENTITY')).toEqual([['1', '2']]);
    expect(taggedRows(at(cascadeSteps[3]!), 'DEFAULTS')).toEqual([['1', 'now']]);

    // The probes: refused exactly where SQLite refuses (a bad calendar date too, which the GLOB let through).
    const verdictTable = probeList.map((p, i) => `${p.label}: ${verdicts[i] && !p.db2Stricter ? 'accepted' : 'refused'}`);
    expect(verdictTable).toContain('SYMBOL "BRK.B": accepted');
    expect(verdictTable).toContain('SYMBOL "aapl": refused');
    expect(verdictTable).toContain('MPID "AB1": refused');
    expect(verdictTable).toContain('WEEKS_IN_WINDOW 5 IS_COMPLETE_WINDOW 1: refused');
    expect(verdictTable).toContain('WEEK_ENDING 2025-02-30 (GLOB shape ok, not a date): refused');

    // After the down scripts only the ledger is left; the up scripts then run again on that database.
    expect(taggedRows(at(finalSteps[0]!), 'TAB')).toEqual([[DB2_MIGRATIONS_TABLE, 'T'], [DB2_MIGRATION_LOG_TABLE, 'T']]);
    expect(taggedRows(at(finalSteps[1]!), 'IDX')).toEqual([]);
    expect(taggedRows(at(againCatalog), 'TAB')).toEqual(derbyTables);

    // SPINE_DB2_KEEP=1 keeps the ij script and its output for reading.
    if (process.env.SPINE_DB2_KEEP === '1') console.info(`ij script and output kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  });
});
