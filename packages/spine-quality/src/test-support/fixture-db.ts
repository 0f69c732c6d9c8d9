import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import type { TestDialect } from '@market-spine/core/testing';

/** Two weeks of OTC-like rows: week 2025-11-07 is clean, week 2025-11-14 breaks one rule per row. */
const FIXTURE_DDL = `
CREATE TABLE venues (venue_id TEXT PRIMARY KEY);
INSERT INTO venues VALUES ('NITE'), ('VIRT'), ('UBSS');
CREATE TABLE otc_weekly (
  week_ending TEXT NOT NULL,
  tier TEXT,
  symbol TEXT,
  venue TEXT,
  total_volume INTEGER,
  total_trades INTEGER,
  market_share DOUBLE PRECISION
);
INSERT INTO otc_weekly VALUES
  ('2025-11-07', 'NMS_TIER_1', 'AAPL', 'NITE', 100, 10, 50.0),
  ('2025-11-07', 'NMS_TIER_1', 'AAPL', 'VIRT', 60, 6, 30.0),
  ('2025-11-07', 'NMS_TIER_1', 'MSFT', 'NITE', 40, 4, 20.0),
  ('2025-11-14', 'NMS_TIER_1', 'AAPL', 'NITE', -5, 3, 40.0),
  ('2025-11-14', 'NMS_TIER_1', 'AAPL', 'NITE', 10, 1, 40.0),
  ('2025-11-14', 'NMS_TIER_1', 'MSFT', NULL, 20, -1, 19.5),
  ('2025-11-14', 'OTC', 'TSLA', 'UBSS', 7, 2, 100.05),
  ('2025-11-14', 'BAD', 'GME', 'GHST', 30, 3, 100.0);
CREATE TABLE rolling_metrics (symbol TEXT PRIMARY KEY, weeks_in_window INTEGER);
INSERT INTO rolling_metrics VALUES ('AAPL', 6), ('MSFT', 4), ('TSLA', NULL), ('GME', 7);
`;

/** Clean week of the fixture. */
export const CLEAN_WEEK = '2025-11-07';
/** Week of the fixture whose rows break the rules. */
export const DIRTY_WEEK = '2025-11-14';

/** A new database of a test dialect (SQLite in memory by default) with core's migrations applied and the fixture tables loaded. */
export async function openFixtureDb(dialect?: TestDialect): Promise<SpineDb> {
  const db = dialect ? await dialect.open() : await openSpineDb(':memory:');
  const result = await new Migrator(db, { sources: [coreMigrationSource()] }).migrate();
  if (result.status !== 'ok') throw new Error(`core migrations failed: ${JSON.stringify(result)}`);
  await db.executor().exec(FIXTURE_DDL);
  return db;
}
