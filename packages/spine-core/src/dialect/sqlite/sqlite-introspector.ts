import { sql } from 'kysely';
import type { ColumnInfo, ConsistencyChecks, SchemaIntrospector, SchemaObjectRef, SchemaObjectType, SqlExecutor } from '../types.js';
import { snapshotSqliteSchema } from './sqlite-schema.js';

/** A row of `pragma_table_xinfo` (SQLite docs, "PRAGMA table_xinfo"). */
export interface TableXInfoRow {
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

  snapshot: snapshotSqliteSchema,
};

/** `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, as lists of problems. */
export const sqliteChecks: ConsistencyChecks = {
  async integrity(executor) {
    const rows = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(executor.kysely);
    const messages = rows.rows.map((r) => r.integrity_check);
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
  },
  async foreignKeys(executor) {
    const rows = await sql<{ table: string; rowid: number | null; parent: string; fkid: number }>`PRAGMA foreign_key_check`.execute(executor.kysely);
    return rows.rows.map((r) => `${r.table} rowid ${String(r.rowid)} references a missing row of ${r.parent} (foreign key ${r.fkid})`);
  },
};

/** The stored `CREATE` statement of a table, or undefined when the table does not exist. */
export async function tableSql(executor: SqlExecutor, table: string): Promise<string | undefined> {
  const result = await sql<{ sql: string }>`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ${table} COLLATE NOCASE`.execute(
    executor.kysely,
  );
  return result.rows[0]?.sql;
}
