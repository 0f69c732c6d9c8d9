import { sql } from 'kysely';
import { Migrator, configuredFeatures } from '@market-spine/core';
import type { SpineConfig, SpineDb } from '@market-spine/core';
import { riskMigrationSource } from './migration-source.js';
import { RISK_SCHEMA_VERSION, V1_TABLE_NAMES, V2_REQUIRED_INDEXES, readRiskSchemaState } from './schema-version.js';

/** The migration whose objects are v1's: drift in them is reported, not failed (an older tool wrote them). */
export const V1_BASELINE_MIGRATION = 'domains-risk/basic/0001_v1_baseline';

/** Outcome of {@link verifyRiskDatabase}: `ok` when `problems` is empty. */
export interface RiskVerification {
  readonly ok: boolean;
  /** What fails the verification, one sentence each. */
  readonly problems: readonly string[];
  /** What is worth knowing but does not fail it: drift of the v1 tables an older tool created. */
  readonly warnings: readonly string[];
  /** The schema version found (expected {@link RISK_SCHEMA_VERSION}). */
  readonly version: number;
  /** Rows counted by the sample queries. */
  readonly counts: Readonly<Record<'enforcement_log' | 'positions' | 'orders', number>>;
}

/**
 * Seed 004 Phase 4 made one call: schema version = 2; the nine v1 tables,
 * `schema_version` and (when the config enables it) `daily_unrealized_pnl`
 * exist; the new indexes exist; `PRAGMA integrity_check` is ok; sample
 * queries run. On top, the engine's verify: foreign keys, applied checksums,
 * every object the migrations create, and drift — failing for what v2
 * created, a warning for the v1 tables the older tool created.
 *
 * @throws the driver's error only when the database cannot be read at all
 */
export async function verifyRiskDatabase(db: SpineDb, config: SpineConfig): Promise<RiskVerification> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const state = await readRiskSchemaState(db);
  if (state.version !== RISK_SCHEMA_VERSION) problems.push(`Schema version ${state.version} != ${RISK_SCHEMA_VERSION}`);
  for (const table of state.v1Tables.missing) problems.push(`Missing v1 table: ${table}`);
  if (state.schemaVersionTable !== 'v2') problems.push('Missing schema_version table (v2 form)');
  const objects = await db.dialect.introspector.listObjects(db.executor());
  const names = new Set(objects.map((o) => `${o.type}:${o.name}`));
  const unrealized = configuredFeatures(config).track_unrealized_pnl === true;
  if (unrealized && !names.has('table:daily_unrealized_pnl')) problems.push('Missing daily_unrealized_pnl table (enabled in config)');
  for (const index of V2_REQUIRED_INDEXES) if (!names.has(`index:${index}`)) problems.push(`Missing index: ${index}`);

  const migrator = new Migrator(db, { sources: [riskMigrationSource()], features: configuredFeatures(config) });
  const engine = await migrator.verify();
  const v1Objects = v1ObjectNames(db, migrator);
  for (const check of engine.checks) {
    if (check.status === 'ok') continue;
    if (check.name !== 'drift') {
      problems.push(...check.problems.map((p) => `${check.name}: ${p}`));
      continue;
    }
    for (const item of engine.drift) {
      // An object is judged by its own name (an index of v1 or of v2), a column or constraint by its table's.
      const owner = ['table', 'index', 'view', 'trigger'].includes(item.objectType) ? item.name : (item.table ?? item.name);
      const line = `drift: ${item.kind} ${item.objectType} ${item.name}${item.table ? ` on ${item.table}` : ''}`;
      (v1Objects.has(owner) ? warnings : problems).push(line);
    }
  }

  const counts = { enforcement_log: 0, positions: 0, orders: 0 };
  for (const table of Object.keys(counts) as (keyof typeof counts)[]) {
    try {
      const row = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db.kysely);
      counts[table] = Number(row.rows[0]?.n ?? 0);
    } catch (error) {
      problems.push(`Sample query failed: ${(error as Error).message}`);
    }
  }
  return { ok: problems.length === 0, problems, warnings, version: state.version, counts };
}

/** Tables and indexes the v1 baseline creates (owner names of drift items). */
function v1ObjectNames(db: SpineDb, migrator: Migrator): Set<string> {
  const baseline = migrator.selected().find((m) => m.id === V1_BASELINE_MIGRATION);
  const created = baseline ? db.dialect.splitStatements(baseline.script, baseline.path).flatMap((s) => s.creates.map((c) => c.name)) : [];
  return new Set<string>([...V1_TABLE_NAMES, ...created]);
}
