import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** File extensions taken from a folder: FINRA exports are `.csv` or `.txt` (pipe-delimited); `.psv` for the 6-column form. */
export const SOURCE_EXTENSIONS = ['.csv', '.txt', '.psv'] as const;

/**
 * Expands the inputs of a run: a folder contributes its files with a
 * {@link SOURCE_EXTENSIONS} extension (not recursively, sorted by name);
 * a file is taken as given, whatever its name. Paths that do not exist are
 * kept, so the run reports them as errors.
 */
export function expandInputs(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Missing: reported by the ingest as INPUT_NOT_FOUND.
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if ((SOURCE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase()) && statSync(full).isFile()) files.push(full);
    }
  }
  return files;
}
