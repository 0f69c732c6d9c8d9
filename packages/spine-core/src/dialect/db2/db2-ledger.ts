/**
 * The migration ledger and its log in DB2 form: the DB2 counterpart of the
 * SQLite `_migrations` / `_migration_log` DDL (`SQLITE_LEDGER_DDL` in
 * `../sqlite/sqlite-dialect.ts`) and the PostgreSQL one (`../postgres/pg-dialect.ts`),
 * with the same columns in the same order (DESIGN.md "The ledger", plus
 * `installed_rank`, `kind` and the log of failures, rollbacks, repairs and
 * baselines). Types follow seed 003 "Dialect Differences Summary": text
 * `VARCHAR(n)`, instants `TIMESTAMP` (UTC), the 0/1 flag `SMALLINT` with its
 * CHECK, the log's key `GENERATED ALWAYS AS IDENTITY`.
 *
 * DB2 is DDL output only here: the statements are executed in Apache Derby by
 * `db2-ddl.test.ts`, ahead of every DB2 migration script.
 */

/**
 * DB2 name of the SQLite/PostgreSQL `_migrations` table: an ordinary DB2
 * identifier cannot start with `_`.
 */
export const DB2_MIGRATIONS_TABLE = 'SPINE_MIGRATIONS';

/** DB2 name of the SQLite/PostgreSQL `_migration_log` table (same rule as {@link DB2_MIGRATIONS_TABLE}). */
export const DB2_MIGRATION_LOG_TABLE = 'SPINE_MIGRATION_LOG';

/**
 * Ledger columns that are DB2 reserved words (DB2 for z/OS and the DB2 LUW
 * list; Derby refuses `AT` and `BY` unquoted). They are delimited identifiers
 * in upper case — the same names as the unquoted upper-case form — and every
 * statement that reads or writes them must quote them.
 */
export const DB2_LEDGER_QUOTED_COLUMNS: readonly string[] = Object.freeze(['"PACKAGE"', '"AT"', '"BY"', '"STATEMENT"']);

/**
 * `CREATE TABLE` statements of the DB2 ledger: {@link DB2_MIGRATIONS_TABLE} and
 * {@link DB2_MIGRATION_LOG_TABLE}. Each entry is one statement without its
 * terminating `;`. DB2 has no `CREATE TABLE IF NOT EXISTS`: the statements are
 * for a database that does not have the ledger yet (a caller checks the
 * catalog, `SYSCAT.TABLES` on DB2, first).
 */
export const DB2_LEDGER_DDL: readonly string[] = Object.freeze([
  `CREATE TABLE ${DB2_MIGRATIONS_TABLE} (
    MIGRATION_ID VARCHAR(255) NOT NULL PRIMARY KEY,
    "PACKAGE" VARCHAR(214) NOT NULL,
    PACKAGE_VERSION VARCHAR(64) NOT NULL,
    TIER VARCHAR(20) NOT NULL,
    DIALECT VARCHAR(20) NOT NULL,
    DESCRIPTION VARCHAR(1000) NOT NULL,
    CHECKSUM VARCHAR(64) NOT NULL,
    APPLIED_AT TIMESTAMP NOT NULL,
    APPLIED_BY VARCHAR(255) NOT NULL,
    EXECUTION_TIME_MS INTEGER NOT NULL,
    SUCCESS SMALLINT NOT NULL DEFAULT 1 CHECK (SUCCESS IN (0, 1)),
    ERROR_MESSAGE VARCHAR(4000),
    DOWN_CHECKSUM VARCHAR(64),
    BUNDLE VARCHAR(64),
    INSTALLED_RANK INTEGER NOT NULL,
    KIND VARCHAR(20) NOT NULL DEFAULT 'migrate' CHECK (KIND IN ('migrate', 'baseline'))
  )`,
  `CREATE TABLE ${DB2_MIGRATION_LOG_TABLE} (
    LOG_ID BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    EVENT VARCHAR(20) NOT NULL CHECK (EVENT IN ('failed', 'rolled_back', 'repaired', 'baselined')),
    MIGRATION_ID VARCHAR(255) NOT NULL,
    "PACKAGE" VARCHAR(214) NOT NULL,
    PACKAGE_VERSION VARCHAR(64) NOT NULL,
    DIALECT VARCHAR(20) NOT NULL,
    CHECKSUM VARCHAR(64),
    PREVIOUS_CHECKSUM VARCHAR(64),
    "AT" TIMESTAMP NOT NULL,
    "BY" VARCHAR(255) NOT NULL,
    EXECUTION_TIME_MS INTEGER,
    STATEMENT_LINE INTEGER,
    "STATEMENT" CLOB(1M),
    MESSAGE VARCHAR(4000)
  )`,
]);
