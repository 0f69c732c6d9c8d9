import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings: tests beside the code, workspace packages resolved
 * to their TypeScript sources through the `source` export condition (no build
 * needed to test), and a timeout generous enough for the 2-core CI machine.
 */
export const spineVitestConfig = defineConfig({
  resolve: { conditions: ['source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One schema prefix per run; the PostgreSQL server's test schemas are dropped after it.
    globalSetup: [fileURLToPath(new URL('../packages/spine-core/src/test-support/vitest-global-setup.ts', import.meta.url))],
  },
});
