/**
 * A bundle's db2.sql executed in Apache Derby, as the DB2 DDL of every
 * migration is (`dialect/db2/db2-ddl.test.ts`): DB2 is DDL output only, Derby
 * speaks the same IBM SQL family. The two bundles' files run in one ij
 * session with autocommit off (the DB2 CLP's `+c`), without the statements
 * marked `-- spine:db2-only` (the RAISE_ERROR guards, which Derby lacks); no
 * statement may fail, and the ledger must hold each migration with its bundle.
 * Without `ij` on PATH the test fails in CI and is skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreMigrationSource } from '../core-migrations.js';
import { DB2_MIGRATIONS_TABLE } from '../dialect/db2/db2-ledger.js';
import { splitDb2Statements } from '../dialect/db2/db2-statements.js';
import { tempDir } from '../test-support/migration-fixtures.js';
import { binaryUnavailable, requireOrSkip } from '../testing-bundles.js';
import { buildBundle } from './bundle-build.js';

describe('db2.sql in Apache Derby', () => {
  it('runs two bundles in order without an error and records every migration with its bundle', async (ctx) => {
    requireOrSkip(binaryUnavailable('ij', 'apt-get install derby-tools; needs Java'), (reason) => ctx.skip(reason));
    const work = tempDir('spine-bundle-db2-');
    const options = { sources: [coreMigrationSource()], bundlesDirectory: join(work, 'migrations'), note: 'Core only.' };
    const bundles = [await buildBundle({ ...options, quarter: '2026-Q4', tier: 'basic' }), await buildBundle({ ...options, quarter: '2027-Q1', tier: 'advanced' })];
    const statements = bundles.flatMap((b) => splitDb2Statements(readFileSync(join(b.directory, 'db2.sql'), 'utf8'), `${b.manifest.bundle}/db2.sql`).filter((s) => s.db2Only === null).map((s) => s.text));
    const script = [`connect 'jdbc:derby:memory:bundle;create=true'`, 'autocommit off', ...statements, `SELECT 'row|' || MIGRATION_ID || '|' || BUNDLE FROM ${DB2_MIGRATIONS_TABLE} ORDER BY INSTALLED_RANK`];
    writeFileSync(join(work, 'bundle.ij.sql'), script.map((s) => `${s};\n`).join(''));
    const run = spawnSync('ij', ['bundle.ij.sql'], { cwd: work, encoding: 'utf8', timeout: 300_000, env: { ...process.env, JAVA_ARGS: `-Dderby.stream.error.file=${join(work, 'derby.log')} -XX:TieredStopAtLevel=1` } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.match(/^(ERROR|IJ ERROR).*$/gm) ?? []).toEqual([]);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('row|')).map((line) => line.trim().split('|').slice(1));
    expect(rows).toEqual(bundles.flatMap((b) => b.manifest.migrations.filter((m) => m.checksums.db2 !== null).map((m) => [m.id, b.manifest.bundle])));
  });
});
