import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationSource } from '../migrations/source.js';
import { fixtureSource, tempDir } from './migration-fixtures.js';

/**
 * A package of migrations that take long enough to be killed in the middle
 * of: each creates a table, fills it with a few thousand rows, indexes it and
 * adds a column and a trigger; every eighth rebuilds the table before it
 * (SQLite 12-step). All are transactional: `-- spine:no-transaction` scripts
 * are not atomic by definition. Returns the source and a JSON file
 * describing it for child processes.
 */
export function crashFixture(count = 24): { source: MigrationSource; sourceFile: string } {
  const root = tempDir('spine-crash-');
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i += 1) {
    const n = String(i).padStart(4, '0');
    if (i % 8 === 0) {
      files[`basic/${n}_rebuild_t${i - 1}.sql`] = [
        `-- spine:rebuild t${i - 1}`,
        `CREATE TABLE t${i - 1} (id INTEGER PRIMARY KEY, v REAL NOT NULL CHECK (v >= 0), note TEXT, extra INTEGER);`,
        `CREATE INDEX IF NOT EXISTS t${i - 1}_v ON t${i - 1} (v);`,
      ].join('\n');
    } else {
      files[`basic/${n}_table_${i}.sql`] = [
        `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, note TEXT);`,
        `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000) INSERT INTO t${i} (v, note) SELECT x, 'row ' || x FROM n;`,
        `CREATE INDEX t${i}_v ON t${i} (v);`,
        `ALTER TABLE t${i} ADD COLUMN extra INTEGER;`,
        `CREATE TRIGGER t${i}_keep BEFORE DELETE ON t${i} BEGIN SELECT CASE WHEN old.v < 0 THEN RAISE(ABORT, 'negative') END; END;`,
      ].join('\n');
    }
  }
  const source = fixtureSource('crash', files, { root });
  const sourceFile = join(root, 'source.json');
  writeFileSync(sourceFile, JSON.stringify(source));
  return { source, sourceFile };
}
