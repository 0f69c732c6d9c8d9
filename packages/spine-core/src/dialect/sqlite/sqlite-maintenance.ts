import { sql } from 'kysely';
import { cstVisitor, parse } from 'sql-parser-cst';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import type { DatabaseMaintenance, FullScan, QueryPlan, RelationSize, SqlExecutor } from '../types.js';

/** A row of `EXPLAIN QUERY PLAN` (SQLite docs, "EXPLAIN QUERY PLAN"). */
interface PlanRow {
  readonly id: number;
  readonly parent: number;
  readonly detail: string;
}

/** `SCAN <name>[ <how>]`: a full pass over a table, unless `<how>` names an index (SQLite ≥ 3.36 wording; older ones said `SCAN TABLE`). */
const SCAN_LINE = /^SCAN (?:TABLE )?(\S+)(?: (.*))?$/;

async function schemaObjects(executor: SqlExecutor): Promise<{ tables: Set<string>; views: Map<string, string> }> {
  const rows = await sql<{ type: string; name: string; sql: string | null }>`
    SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view')`.execute(executor.kysely);
  const tables = new Set<string>();
  const views = new Map<string, string>();
  for (const row of rows.rows) {
    if (row.type === 'table') tables.add(row.name.toLowerCase());
    else if (row.sql !== null) views.set(row.name.toLowerCase(), row.sql);
  }
  return { tables, views };
}

/** `FROM <table> AS <alias>` pairs of a statement, and the names it mentions (to follow views). */
function aliasesOf(statement: string): { aliases: [string, string][]; names: string[] } {
  const aliases: [string, string][] = [];
  const names: string[] = [];
  const tableName = (node: { type: string; name?: string; property?: { type: string; name?: string } }): string | undefined =>
    node.type === 'identifier' ? node.name : node.type === 'member_expr' && node.property?.type === 'identifier' ? node.property.name : undefined;
  try {
    cstVisitor({
      alias: (node) => {
        const table = tableName(node.expr as never);
        if (table !== undefined) aliases.push([node.alias.name.toLowerCase(), table.toLowerCase()]);
      },
      identifier: (node) => {
        names.push(node.name.toLowerCase());
      },
    })(parse(statement, { dialect: 'sqlite' }));
  } catch {
    // Syntax this parser lacks: SQLite accepted the statement, so scans are then named as the plan prints them.
  }
  return { aliases, names };
}

/**
 * Alias → tables, from the statement and the views it reads (SQLite's plan
 * names a scan by the alias the query or view gave the table).
 */
function aliasTables(statement: string, views: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const pending = [statement];
  for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
    const { aliases, names } = aliasesOf(text);
    for (const [alias, table] of aliases) map.set(alias, (map.get(alias) ?? new Set()).add(table));
    for (const name of names) {
      const view = views.get(name);
      if (view !== undefined && !seen.has(name)) {
        seen.add(name);
        pending.push(view);
      }
    }
  }
  return map;
}

function planLines(rows: readonly PlanRow[]): string[] {
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, level);
    return `${'  '.repeat(level)}${row.detail}`;
  });
}

/** SQLite's maintenance: `dbstat` sizes, `VACUUM`, `EXPLAIN QUERY PLAN`. */
export const sqliteMaintenance: DatabaseMaintenance = {
  async databaseBytes(executor) {
    const row = await sql<{ bytes: number }>`SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()`.execute(executor.kysely);
    return Number(row.rows[0]?.bytes ?? 0);
  },

  async relationSizes(executor) {
    // dbstat (SQLite docs, "The DBSTAT Virtual Table") reports pages per b-tree; an index's b-tree counts for its table.
    const rows = await sql<{ name: string; type: string | null; tbl_name: string | null; bytes: number }>`
      SELECT d.name AS name, s.type AS type, s.tbl_name AS tbl_name, SUM(d.pgsize) AS bytes
      FROM dbstat AS d LEFT JOIN sqlite_schema AS s ON s.name = d.name
      GROUP BY d.name, s.type, s.tbl_name`.execute(executor.kysely);
    const sizes = new Map<string, { tableBytes: number; indexBytes: number }>();
    for (const row of rows.rows) {
      const isIndex = row.type === 'index';
      const table = isIndex ? (row.tbl_name ?? row.name) : row.name;
      const entry = sizes.get(table) ?? { tableBytes: 0, indexBytes: 0 };
      if (isIndex) entry.indexBytes += Number(row.bytes);
      else entry.tableBytes += Number(row.bytes);
      sizes.set(table, entry);
    }
    return [...sizes]
      .map(([table, s]): RelationSize => ({ table, tableBytes: s.tableBytes, indexBytes: s.indexBytes, totalBytes: s.tableBytes + s.indexBytes }))
      .sort((a, b) => b.totalBytes - a.totalBytes || (a.table < b.table ? -1 : 1));
  },

  async vacuum(executor) {
    await executor.exec('VACUUM');
    // In WAL mode VACUUM writes the new file into the log; the checkpoint moves it into the file and empties the log.
    await executor.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  },

  async explain(executor, statement): Promise<QueryPlan> {
    let rows: PlanRow[];
    try {
      rows = (await sql<PlanRow>`EXPLAIN QUERY PLAN ${sql.raw(statement)}`.execute(executor.kysely)).rows;
    } catch (error) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `SQLite cannot plan the statement: ${errorMessage(error)}`, {
        hint: 'Pass one SQL statement (quote it for the shell), e.g. "SELECT * FROM finra_otc_transparency_raw WHERE symbol = \'AABB\'".',
      });
    }
    const { tables, views } = await schemaObjects(executor);
    const aliases = aliasTables(statement, views);
    const fullScans: FullScan[] = [];
    for (const row of rows) {
      const match = SCAN_LINE.exec(row.detail);
      if (!match || /\bINDEX\b/.test(match[2] ?? '')) continue;
      const name = (match[1] as string).toLowerCase();
      const aliased = [...(aliases.get(name) ?? [])].filter((table) => tables.has(table));
      const scanned = aliased.length > 0 ? aliased : tables.has(name) ? [name] : [];
      for (const table of scanned) fullScans.push({ table, detail: row.detail });
    }
    return { lines: planLines(rows), fullScans };
  },
};
