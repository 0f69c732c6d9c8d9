import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bundled real FINRA OTC samples (see samples/PROVENANCE.md). */
export const SAMPLES_DIR = fileURLToPath(new URL('../samples/', import.meta.url));

/**
 * The bundled FINRA Query API file: two recorded weeklySummary responses of
 * ATS_W_SMBL symbol totals (NMS Tier 1, AAPL and BRK.B, 248 weeks each; see
 * samples/PROVENANCE.md). Load it with `ingestApiRecords`.
 */
export const SAMPLE_API_FILE = join(SAMPLES_DIR, 'api', 'otc_aggregate_symbol.json');

/** The bundled website-export sample files, sorted by name (oldest week first). */
export function sampleFiles(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(SAMPLES_DIR, name));
}
