import { sql } from 'kysely';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { quoteCatalogName } from '../../identifiers.js';
import type { DatabaseMaintenance, FullScan, QueryPlan, SqlExecutor } from '../types.js';

/** A node of `EXPLAIN (FORMAT JSON)` output (PostgreSQL docs, "EXPLAIN"); only the fields read here. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Alias?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** The schema's tables (partitioned parents, not their partitions: VACUUM of a parent covers them). */
async function schemaTables(executor: SqlExecutor): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`.execute(executor.kysely);
  return rows.rows.map((r) => r.name);
}

function walkPlan(node: PlanNode, depth: number, lines: string[], fullScans: FullScan[]): void {
  const relation = node['Relation Name'];
  const alias = node.Alias !== undefined && node.Alias !== relation ? ` ${node.Alias}` : '';
  const detail = `${node['Node Type']}${relation === undefined ? '' : ` on ${relation}${alias}`}${node['Index Name'] === undefined ? '' : ` using ${node['Index Name']}`}`;
  lines.push(`${'  '.repeat(depth)}${detail}`);
  if (node['Node Type'] === 'Seq Scan' && relation !== undefined) fullScans.push({ table: relation, detail });
  for (const child of node.Plans ?? []) walkPlan(child, depth + 1, lines, fullScans);
}

/** PostgreSQL's maintenance: `pg_total_relation_size`, `VACUUM FULL`, `EXPLAIN (FORMAT JSON)`. */
export const postgresMaintenance: DatabaseMaintenance = {
  async databaseBytes(executor) {
    const rows = await sql<{ bytes: number | null }>`
      SELECT SUM(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`.execute(executor.kysely);
    return Number(rows.rows[0]?.bytes ?? 0);
  },

  async relationSizes(executor) {
    const rows = await sql<{ table_name: string; table_bytes: number; index_bytes: number; total_bytes: number }>`
      SELECT c.relname AS table_name, pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes, pg_total_relation_size(c.oid) AS total_bytes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')
      ORDER BY total_bytes DESC, c.relname`.execute(executor.kysely);
    return rows.rows.map((r) => ({ table: r.table_name, tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes), totalBytes: Number(r.total_bytes) }));
  },

  async vacuum(executor) {
    const tables = await schemaTables(executor);
    // Only this schema's tables: a bare VACUUM would rewrite every schema of the server's database.
    if (tables.length > 0) await executor.exec(`VACUUM FULL ${tables.map(quoteCatalogName).join(', ')}`);
  },

  async explain(executor, statement): Promise<QueryPlan> {
    let plan: { Plan: PlanNode }[];
    try {
      const rows = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (FORMAT JSON) ${sql.raw(statement)}`.execute(executor.kysely);
      plan = JSON.parse(rows.rows[0]?.['QUERY PLAN'] ?? '[]') as { Plan: PlanNode }[];
    } catch (error) {
      throw new SpineError(ErrorCode.INVALID_ARGUMENT, `PostgreSQL cannot plan the statement: ${errorMessage(error)}`, {
        hint: 'Pass one SQL statement (quote it for the shell), e.g. "SELECT * FROM finra_otc_transparency_raw WHERE symbol = \'AABB\'".',
      });
    }
    const lines: string[] = [];
    const fullScans: FullScan[] = [];
    for (const entry of plan) walkPlan(entry.Plan, 0, lines, fullScans);
    return { lines, fullScans };
  },
};
