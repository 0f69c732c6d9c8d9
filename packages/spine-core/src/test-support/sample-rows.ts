import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SpineDb } from '../spine-db.js';

/**
 * The real FINRA OTC sample of the week ending 2025-11-14 (spine-domains-finra's
 * `samples/finra_otc_weekly_otc_20251215.csv`, see its PROVENANCE.md), read by
 * path: core never imports a domain's code.
 */
export const SAMPLE_FILE = fileURLToPath(new URL('../../../spine-domains-finra/samples/finra_otc_weekly_otc_20251215.csv', import.meta.url));

/** The plain table the sample's venue rows are loaded into; same DDL on every dialect. */
export const SAMPLE_TABLE = 'sample_venue_rows';

/** Data lines of {@link SAMPLE_FILE}: 5,328 venue rows. */
export const SAMPLE_ROW_COUNT = 5328;

/**
 * Loads the sample's venue rows into {@link SAMPLE_TABLE} (symbol, MPID,
 * issue name, shares, trades; week 2025-11-14, tier OTC) with an index on
 * symbol, and returns the row count.
 */
export async function loadSampleRows(db: SpineDb): Promise<number> {
  const lines = readFileSync(SAMPLE_FILE, 'utf8').split(/\r?\n/).slice(1).filter((line) => line !== '');
  const rows = lines.map((line) => {
    const [, symbol, issueName, , mpid, shares, trades] = line.split('|') as string[];
    return ['2025-11-14', 'OTC', symbol ?? '', mpid ?? '', issueName ?? '', Number(shares), Number(trades)];
  });
  return db.transaction(async (tx) => {
    await tx.exec(`CREATE TABLE ${SAMPLE_TABLE} (
      week_ending TEXT NOT NULL, tier TEXT NOT NULL, symbol TEXT NOT NULL, mpid TEXT NOT NULL, issue_name TEXT,
      total_volume BIGINT NOT NULL, trade_count BIGINT NOT NULL)`);
    await tx.exec(`CREATE INDEX idx_sample_venue_rows_symbol ON ${SAMPLE_TABLE} (symbol)`);
    return tx.insertRows(SAMPLE_TABLE, ['week_ending', 'tier', 'symbol', 'mpid', 'issue_name', 'total_volume', 'trade_count'], rows);
  });
}

/**
 * Seed 000's example scratch table: an HHI variant per symbol, from the real
 * sample's venue rows (Σ venue share², shares as DOUBLE PRECISION so both
 * dialects divide in floating point).
 */
export const HHI_VARIANT_SELECT = `
  SELECT r.week_ending, r.tier, r.symbol, COUNT(*) AS venue_count,
         SUM(CAST(r.total_volume AS DOUBLE PRECISION) * r.total_volume) / (CAST(t.total AS DOUBLE PRECISION) * t.total) AS hhi_weighted,
         '2025-12-15T00:00:00.000Z' AS captured_at, 'cap_sample' AS capture_id
  FROM ${SAMPLE_TABLE} AS r
  JOIN (SELECT symbol, SUM(total_volume) AS total FROM ${SAMPLE_TABLE} GROUP BY symbol) AS t ON t.symbol = r.symbol
  WHERE t.total > 0
  GROUP BY r.week_ending, r.tier, r.symbol, t.total`;
