import { sql } from 'kysely';
import type { SqlExecutor } from '../dialect/types.js';
import { ErrorCode, SpineError, errorMessage } from '../errors.js';
import { quoteCatalogName } from '../identifiers.js';
import { nowIso } from '../ids.js';
import { currentActor } from '../migrations/ledger.js';
import { SCRATCH_PREFIXES, SCRATCH_REGISTRY_TABLE, isScratchName } from '../schema/managed-objects.js';
import type { SpineDb } from '../spine-db.js';
import { assertOneStatement } from './maintenance.js';

/** A scratch name as `spine ops scratch create` accepts it: a prefix, then lower-case letters, digits and underscores. */
const SCRATCH_NAME_PATTERN = /^_(scratch|exp)_[a-z0-9_]{1,100}$/;

/** Same DDL on every dialect: instants are ISO-8601 UTC text, like SQLite's. */
const REGISTRY_DDL = `CREATE TABLE IF NOT EXISTS ${SCRATCH_REGISTRY_TABLE} (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('table', 'view')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    note TEXT
)`;

/** A scratch table or experimental view. */
export interface ScratchObject {
  readonly name: string;
  readonly kind: 'table' | 'view';
  /** Rows of a table; null for a view (counting would run its query). */
  readonly rows: number | null;
  /** Bytes the table and its indexes occupy; 0 for a view. */
  readonly bytes: number;
  /** When `spine ops scratch create` made it (ISO-8601 UTC); null when it was made another way (plain SQL). */
  readonly createdAt: string | null;
  /** Seconds since `createdAt` at the time of listing; null when unknown. */
  readonly ageSeconds: number | null;
  /** `user@host` that made it, when known. */
  readonly createdBy: string | null;
  readonly note: string | null;
}

/**
 * Checks a scratch name (seed 000: "Prefix with `_scratch_` or `_exp_`").
 *
 * @throws SpineError `INVALID_IDENTIFIER` naming the rule
 */
export function assertScratchName(name: string): string {
  if (!SCRATCH_NAME_PATTERN.test(name)) {
    throw new SpineError(ErrorCode.INVALID_IDENTIFIER, `${JSON.stringify(name)} is not a scratch name.`, {
      hint: `Scratch tables and experimental views are named ${SCRATCH_PREFIXES.map((p) => `${p}<name>`).join(' or ')}, lower-case letters, digits and underscores (seed 000).`,
    });
  }
  return name;
}

async function registryExists(executor: SqlExecutor, db: SpineDb): Promise<boolean> {
  const objects = await db.dialect.introspector.listObjects(executor);
  return objects.some((o) => o.type === 'table' && o.name === SCRATCH_REGISTRY_TABLE);
}

async function scratchObjects(db: SpineDb): Promise<Map<string, 'table' | 'view'>> {
  const objects = await db.dialect.introspector.listObjects(db.executor());
  return new Map(objects.filter((o) => (o.type === 'table' || o.type === 'view') && isScratchName(o.name)).map((o) => [o.name, o.type as 'table' | 'view']));
}

/** What to create: a table from a query or from column definitions, or a view. */
export type ScratchDefinition = { readonly kind: 'table' | 'view'; readonly select: string } | { readonly kind: 'table'; readonly columns: string };

/** Outcome of {@link createScratch}. */
export type CreateScratchResult =
  | { readonly status: 'created'; readonly object: ScratchObject }
  /** An object of that name exists; nothing was changed. */
  | { readonly status: 'exists'; readonly name: string; readonly kind: 'table' | 'view' };

/**
 * Creates a scratch table (`CREATE TABLE <name> AS <select>` or
 * `CREATE TABLE <name> (<columns>)`) or an experimental view, and records
 * who made it and when, in one transaction. The SQL is the analyst's own,
 * in the database's dialect; it must be one statement.
 *
 * @throws SpineError `INVALID_IDENTIFIER` for a name without the scratch prefix; `INVALID_ARGUMENT` when the database rejects the SQL
 */
export async function createScratch(db: SpineDb, name: string, definition: ScratchDefinition, note?: string): Promise<CreateScratchResult> {
  assertScratchName(name);
  const existing = (await scratchObjects(db)).get(name);
  if (existing !== undefined) return { status: 'exists', name, kind: existing };
  const body =
    'columns' in definition ? `(${definition.columns})` : `AS ${assertOneStatement(db, definition.select, `query of ${name}`)}`;
  const ddl = `CREATE ${definition.kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteCatalogName(name)} ${body}`;
  const createdAt = nowIso();
  const createdBy = currentActor();
  try {
    await db.transaction(async (tx) => {
      await tx.exec(REGISTRY_DDL);
      // Through Kysely, not exec(): one statement only, so nothing rides along after a semicolon.
      await sql.raw(ddl).execute(tx.kysely);
      await tx.kysely.deleteFrom(SCRATCH_REGISTRY_TABLE).where('name', '=', name).execute();
      await tx.kysely.insertInto(SCRATCH_REGISTRY_TABLE).values({ name, kind: definition.kind, created_at: createdAt, created_by: createdBy, note: note ?? null }).execute();
    });
  } catch (error) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot create ${name}: ${errorMessage(error)}`, { hint: 'Check the SQL; nothing was created.', cause: error });
  }
  const object = (await listScratch(db)).find((o) => o.name === name) as ScratchObject;
  return { status: 'created', object };
}

/**
 * Every scratch table and experimental view with its size, rows and age,
 * oldest first (objects of unknown age last).
 *
 * @param now the instant ages are measured from (default: now)
 */
export async function listScratch(db: SpineDb, now: Date = new Date()): Promise<ScratchObject[]> {
  const executor = db.executor();
  const objects = await scratchObjects(db);
  const registry = new Map<string, { created_at: string; created_by: string; note: string | null }>();
  if (await registryExists(executor, db)) {
    const rows = (await db.kysely.selectFrom(SCRATCH_REGISTRY_TABLE).select(['name', 'created_at', 'created_by', 'note']).execute()) as {
      name: string;
      created_at: string;
      created_by: string;
      note: string | null;
    }[];
    for (const row of rows) registry.set(row.name, row);
  }
  const sizes = new Map((await db.dialect.maintenance.relationSizes(executor)).map((s) => [s.table, s.totalBytes]));
  const list: ScratchObject[] = [];
  for (const [name, kind] of objects) {
    const entry = registry.get(name);
    const count =
      kind === 'table' ? await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.raw(quoteCatalogName(name))}`.execute(db.kysely) : null;
    list.push({
      name,
      kind,
      rows: count === null ? null : Number(count.rows[0]?.n ?? 0),
      bytes: sizes.get(name) ?? 0,
      createdAt: entry?.created_at ?? null,
      ageSeconds: entry === undefined ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(entry.created_at)) / 1000)),
      createdBy: entry?.created_by ?? null,
      note: entry?.note ?? null,
    });
  }
  // Code-unit order (same on every machine); unknown ages sort after every ISO instant.
  const key = (o: ScratchObject) => `${o.createdAt ?? '\uffff'} ${o.name}`;
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Outcome of {@link dropScratch}. */
export type DropScratchResult =
  | { readonly status: 'dropped'; readonly name: string; readonly kind: 'table' | 'view'; readonly rows: number | null }
  /** No scratch object of that name; nothing was changed. */
  | { readonly status: 'not_found'; readonly name: string };

/**
 * Drops a scratch table or experimental view and its registry entry, in one
 * transaction. Only scratch names are accepted, so a production table can
 * never be dropped this way.
 *
 * @throws SpineError `INVALID_IDENTIFIER` for a name without the scratch prefix; `INVALID_ARGUMENT` when the database refuses
 *   (e.g. a view still depends on the table)
 */
export async function dropScratch(db: SpineDb, name: string): Promise<DropScratchResult> {
  assertScratchName(name);
  const object = (await listScratch(db)).find((o) => o.name === name);
  if (object === undefined) return { status: 'not_found', name };
  try {
    await db.transaction(async (tx) => {
      await tx.exec(`DROP ${object.kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteCatalogName(name)}`);
      if (await registryExists(tx, db)) await tx.kysely.deleteFrom(SCRATCH_REGISTRY_TABLE).where('name', '=', name).execute();
    });
  } catch (error) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot drop ${name}: ${errorMessage(error)}`, {
      hint: 'Drop the views that depend on it first; nothing was dropped.',
      cause: error,
    });
  }
  return { status: 'dropped', name, kind: object.kind, rows: object.rows };
}
