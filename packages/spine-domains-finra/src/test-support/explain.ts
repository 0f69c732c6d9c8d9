import { CompiledQuery } from 'kysely';
import type { SpineDb } from '@market-spine/core';

/**
 * The plan of a compiled query, one line per node: SQLite's `EXPLAIN QUERY
 * PLAN` details, or PostgreSQL's `EXPLAIN` lines (without the `->` arrows).
 * On PostgreSQL sequential scans are priced out (`enable_seqscan = off`, for
 * this transaction only): test tables are tiny, and the question is whether an
 * index can serve the query (the benchmarks show plans at millions of rows).
 * Test support only: the product never branches on the dialect.
 */
export async function explainLines(db: SpineDb, query: CompiledQuery): Promise<string[]> {
  if (db.dialectName === 'sqlite') {
    const plan = await db.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
    return plan.rows.map((r) => r.detail);
  }
  return db.kysely.transaction().execute(async (tx) => {
    await tx.executeQuery(CompiledQuery.raw('SET LOCAL enable_seqscan = off'));
    const plan = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]));
    return plan.rows.map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, ''));
  });
}
