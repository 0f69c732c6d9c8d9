import { defineConfig } from 'vitest/config';

/**
 * One slow test: packing, a cold `npm install` (better-sqlite3 compiles from
 * source when no prebuilt binary can be fetched) and the script run in the
 * installed project take minutes on a 2-core CI machine.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.mjs'],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
  },
});
