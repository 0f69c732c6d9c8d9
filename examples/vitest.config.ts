import { defineConfig } from 'vitest/config';

/**
 * The examples run against the built packages, as an analyst's script does
 * (no `source` condition): `pnpm build` first (turbo's test task builds them).
 */
export default defineConfig({
  test: {
    include: ['*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
