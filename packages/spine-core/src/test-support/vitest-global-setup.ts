/**
 * vitest global setup of every package (see tooling/vitest.preset.ts): gives
 * the run one schema prefix, and when the PostgreSQL suites run against a
 * server, drops the run's schemas afterwards — and those left by runs that
 * were killed more than a day ago.
 */
import pg from 'pg';
import { TEST_PG_URL_ENV, TEST_SCHEMA_FAMILY, TEST_SCHEMA_PREFIX_ENV, runSchemaPrefix } from '../testing.js';

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

async function dropSchemas(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [TEST_SCHEMA_FAMILY]);
    const staleStamp = new Date(Date.now() - STALE_AFTER_MS).toISOString().replace(/\D/g, '').slice(0, 14);
    for (const { nspname } of rows) {
      const stamp = nspname.slice(TEST_SCHEMA_FAMILY.length, TEST_SCHEMA_FAMILY.length + 14);
      if (nspname.startsWith(prefix) || stamp < staleStamp) await client.query(`DROP SCHEMA IF EXISTS "${nspname.replace(/"/g, '""')}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}

export default function setup(): () => Promise<void> {
  const prefix = runSchemaPrefix();
  process.env[TEST_SCHEMA_PREFIX_ENV] = prefix;
  return async () => {
    const url = process.env[TEST_PG_URL_ENV];
    if (url) await dropSchemas(url, prefix);
  };
}
