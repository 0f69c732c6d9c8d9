import { sql } from 'kysely';
import type { ColumnInfo, SchemaIntrospector, SchemaObjectRef, SchemaObjectType, SqlExecutor } from '../types.js';

interface TableXInfoRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** Reads the live SQLite schema from `sqlite_schema` and `pragma_table_xinfo` (SQLite docs, "PRAGMA table_xinfo"). */
export const sqliteIntrospector: SchemaIntrospector = {
  async listObjects(executor: SqlExecutor): Promise<SchemaObjectRef[]> {
    const result = await sql<{ type: SchemaObjectType; name: string }>`
      SELECT type, name FROM sqlite_schema
      WHERE type IN ('table', 'index', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      ORDER BY type, name`.execute(executor.kysely);
    return result.rows;
  },

  async columns(executor: SqlExecutor, table: string): Promise<ColumnInfo[]> {
    const result = await sql<TableXInfoRow>`SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(${table})`.execute(
      executor.kysely,
    );
    return result.rows.map((row) => ({
      name: row.name,
      type: row.type,
      notNull: row.notnull === 1,
      defaultValue: row.dflt_value,
      primaryKeyPosition: row.pk,
    }));
  },
};

/** The stored `CREATE` statement of a table, or undefined when the table does not exist. */
export async function tableSql(executor: SqlExecutor, table: string): Promise<string | undefined> {
  const result = await sql<{ sql: string }>`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ${table} COLLATE NOCASE`.execute(
    executor.kysely,
  );
  return result.rows[0]?.sql;
}
