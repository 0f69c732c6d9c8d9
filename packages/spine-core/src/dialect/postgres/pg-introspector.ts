import { sql } from 'kysely';
import type { IndexSnapshot, SchemaSnapshot, TableSnapshot } from '../../schema/schema-snapshot.js';
import { truncatedIdentifier } from './pg-statements.js';
import type { ColumnInfo, ConsistencyChecks, SchemaIntrospector, SchemaObjectRef, SqlExecutor } from '../types.js';

/**
 * Reads the live PostgreSQL schema from the catalogs, for the schema the
 * session works in (`current_schema()`): objects, columns, and the snapshot
 * the drift check compares. Definitions come from PostgreSQL's own
 * `pg_get_*def` functions, so two schemas built by the same migrations on the
 * same server render identically.
 */
export const postgresIntrospector: SchemaIntrospector = {
  async listObjects(executor: SqlExecutor): Promise<SchemaObjectRef[]> {
    const result = await sql<SchemaObjectRef>`
      SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'index' END AS type, c.relname AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'I') AND NOT c.relispartition
      UNION ALL
      SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal
      ORDER BY 1, 2`.execute(executor.kysely);
    return result.rows;
  },

  async columns(executor: SqlExecutor, table: string): Promise<ColumnInfo[]> {
    const result = await sql<{ name: string; type: string; not_null: boolean | number; default_value: string | null; pk: number }>`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             pg_get_expr(d.adbin, d.adrelid) AS default_value,
             COALESCE(array_position(i.indkey::int2[], a.attnum), 0) AS pk
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
      WHERE n.nspname = current_schema() AND c.relname = ${truncatedIdentifier(table)} AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`.execute(executor.kysely);
    return result.rows.map((r) => ({ name: r.name, type: r.type.toUpperCase(), notNull: Boolean(r.not_null), defaultValue: r.default_value, primaryKeyPosition: Number(r.pk) }));
  },

  async snapshot(executor: SqlExecutor): Promise<SchemaSnapshot> {
    const tables: Record<string, TableSnapshot> = {};
    const relations = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`.execute(executor.kysely);
    for (const { name } of relations.rows) {
      const columns = await postgresIntrospector.columns(executor, name);
      const constraints = await sql<{ type: string; def: string; columns: string[] | null; ref_table: string | null; ref_columns: string[] | null; on_delete: string; on_update: string }>`
        SELECT con.contype AS type, pg_get_constraintdef(con.oid) AS def,
               (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
               rc.relname AS ref_table,
               (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns,
               con.confdeltype AS on_delete, con.confupdtype AS on_update
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class rc ON rc.oid = con.confrelid
        WHERE n.nspname = current_schema() AND c.relname = ${name} AND con.contype IN ('c', 'u', 'f')`.execute(executor.kysely);
      const action = (code: string) => ({ a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' })[code] ?? code;
      tables[name] = {
        columns: columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, default: c.defaultValue, primaryKeyPosition: c.primaryKeyPosition })),
        checks: constraints.rows.filter((r) => r.type === 'c').map((r) => r.def).sort(),
        uniques: constraints.rows
          .filter((r) => r.type === 'u')
          .map((r) => r.columns ?? [])
          .sort((a, b) => a.join(',').localeCompare(b.join(','))),
        foreignKeys: constraints.rows
          .filter((r) => r.type === 'f')
          .map((r) => ({ columns: r.columns ?? [], table: r.ref_table ?? '', references: r.ref_columns ?? [], onDelete: action(r.on_delete), onUpdate: action(r.on_update) }))
          .sort((a, b) => a.columns.join(',').localeCompare(b.columns.join(','))),
      };
    }
    const indexRows = await sql<{ name: string; table: string; unique: boolean | number; def: string; where: string | null }>`
      SELECT ic.relname AS name, tc.relname AS "table", i.indisunique AS "unique", pg_get_indexdef(i.indexrelid) AS def,
             pg_get_expr(i.indpred, i.indrelid) AS "where"
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE n.nspname = current_schema() AND NOT tc.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u'))
      ORDER BY 1`.execute(executor.kysely);
    const indexes: Record<string, IndexSnapshot> = {};
    for (const r of indexRows.rows) {
      // "CREATE INDEX name ON table USING btree (a, b DESC) WHERE …": the key list is between the first "(" after USING and its match.
      const using = r.def.indexOf(' USING ');
      const open = r.def.indexOf('(', using);
      let depth = 0;
      let close = open;
      for (let i = open; i < r.def.length; i += 1) {
        if (r.def[i] === '(') depth += 1;
        else if (r.def[i] === ')' && --depth === 0) {
          close = i;
          break;
        }
      }
      const method = r.def.slice(using + 7, open).trim();
      const keys = r.def.slice(open + 1, close).split(/,\s*(?![^(]*\))/).map((k) => k.trim());
      indexes[r.name] = { table: r.table, unique: Boolean(r.unique), columns: method === 'btree' ? keys : keys.map((k) => `${k} USING ${method}`), where: r.where };
    }
    const views: SchemaSnapshot['views'] = {};
    const viewRows = await sql<{ name: string; def: string }>`
      SELECT c.relname AS name, pg_get_viewdef(c.oid, true) AS def FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm') ORDER BY 1`.execute(executor.kysely);
    for (const v of viewRows.rows) views[v.name] = { sql: v.def.trim().replace(/\s+/g, ' ') };
    const triggers: SchemaSnapshot['triggers'] = {};
    const triggerRows = await sql<{ name: string; table: string; def: string }>`
      SELECT t.tgname AS name, c.relname AS "table", pg_get_triggerdef(t.oid, true) AS def FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY 1`.execute(executor.kysely);
    for (const t of triggerRows.rows) triggers[t.name] = { table: t.table, sql: t.def };
    return { dialect: 'postgres', tables, indexes, views, triggers };
  },
};

/**
 * PostgreSQL keeps pages and constraints consistent by itself; what can be
 * wrong after a migration is an index left invalid (a failed `CREATE INDEX
 * CONCURRENTLY`) or a constraint added `NOT VALID` and never validated.
 */
export const postgresChecks: ConsistencyChecks = {
  async integrity(executor) {
    const result = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND (NOT i.indisvalid OR NOT i.indisready) ORDER BY 1`.execute(executor.kysely);
    return result.rows.map((r) => `index ${r.name} is invalid (a failed CREATE INDEX CONCURRENTLY?); drop and recreate it`);
  },
  async foreignKeys(executor) {
    const result = await sql<{ name: string; table: string }>`
      SELECT con.conname AS name, c.relname AS "table" FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND con.contype = 'f' AND NOT con.convalidated ORDER BY 1`.execute(executor.kysely);
    return result.rows.map((r) => `foreign key ${r.name} on ${r.table} is NOT VALID: existing rows were never checked`);
  },
};
