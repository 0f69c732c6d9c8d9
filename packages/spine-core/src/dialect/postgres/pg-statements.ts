import { loadModule, parseSync } from 'libpg-query';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import type { ParsedStatement, SchemaObjectRef } from '../types.js';

/** libpg-query is WebAssembly: loaded once, then parsing is synchronous. */
let loaded: Promise<void> | undefined;

/** Loads PostgreSQL's own parser (libpg-query); call before {@link splitPostgresStatements}. */
export function loadPostgresParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** PostgreSQL keeps identifiers to NAMEDATALEN - 1 = 63 bytes (docs, "Identifiers and Key Words"). */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * A name as PostgreSQL stores it: cut to 63 bytes on a character boundary,
 * as it does (with a NOTICE) in every statement that names a longer one.
 */
export function truncatedIdentifier(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= MAX_IDENTIFIER_BYTES) return name;
  let end = MAX_IDENTIFIER_BYTES;
  // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

interface RawStmt {
  readonly stmt: Record<string, Record<string, unknown>>;
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

const rangeVarName = (node: unknown): string | undefined => {
  const rel = node as { relname?: string } | undefined;
  return rel?.relname;
};

function created(stmt: RawStmt['stmt']): SchemaObjectRef[] {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  const ref = (type: SchemaObjectRef['type'], name: string | undefined): SchemaObjectRef[] => (name ? [{ type, name }] : []);
  switch (kind) {
    case 'CreateStmt':
      return ref('table', rangeVarName(body?.relation));
    case 'IndexStmt':
      return ref('index', body?.idxname as string | undefined);
    case 'ViewStmt':
      return ref('view', rangeVarName(body?.view));
    case 'CreateTrigStmt':
      return ref('trigger', body?.trigname as string | undefined);
    default:
      return [];
  }
}

function dropped(stmt: RawStmt['stmt']): SchemaObjectRef[] {
  const drop = stmt.DropStmt as { removeType?: string; objects?: { List?: { items?: { String?: { sval?: string } }[] } }[] } | undefined;
  if (!drop) return [];
  const type = ({ OBJECT_TABLE: 'table', OBJECT_INDEX: 'index', OBJECT_VIEW: 'view', OBJECT_TRIGGER: 'trigger' } as const)[drop.removeType as 'OBJECT_TABLE'];
  if (!type) return [];
  return (drop.objects ?? []).flatMap((o) => {
    const last = o.List?.items?.at(-1)?.String?.sval;
    return last ? [{ type, name: last }] : [];
  });
}

/**
 * Splits a PostgreSQL script with PostgreSQL's own grammar (libpg-query):
 * dollar-quoted bodies, strings, comments and `CREATE FUNCTION` are exact.
 * Statement positions come back in UTF-8 bytes and are mapped to the text.
 *
 * @throws SpineError `MIGRATION_PARSE_FAILED` naming the file and PostgreSQL's message
 */
export function splitPostgresStatements(script: string, source: string): ParsedStatement[] {
  let stmts: RawStmt[];
  try {
    stmts = (parseSync(script) as { stmts?: RawStmt[] }).stmts ?? [];
  } catch (error) {
    throw new SpineError(ErrorCode.MIGRATION_PARSE_FAILED, `Cannot split ${source} into PostgreSQL statements: ${errorMessage(error)}`, {
      hint: 'Fix the SQL at the position shown; PostgreSQL scripts are checked by its own parser before anything runs.',
      cause: error,
    });
  }
  const bytes = Buffer.from(script, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const raw of stmts) {
    const start = raw.stmt_location ?? 0;
    const length = raw.stmt_len ?? bytes.length - start;
    const chunk = bytes.subarray(start, length === 0 ? bytes.length : start + length).toString('utf8');
    // The range starts after the previous statement's semicolon: it may open with comments and blank lines.
    const leading = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(chunk)?.[0] ?? '';
    const text = chunk.slice(leading.length).trim();
    if (text === '') continue;
    const offset = bytes.subarray(0, start).toString('utf8').length + leading.length;
    statements.push({
      text,
      line: script.slice(0, offset).split('\n').length,
      creates: created(raw.stmt),
      drops: dropped(raw.stmt),
      dialectData: raw.stmt,
    });
  }
  return statements;
}
