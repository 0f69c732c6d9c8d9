import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bundled real FINRA OTC samples (see samples/PROVENANCE.md). */
export const SAMPLES_DIR = fileURLToPath(new URL('../samples/', import.meta.url));

/** The bundled sample files, sorted by name (oldest week first). */
export function sampleFiles(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(SAMPLES_DIR, name));
}
