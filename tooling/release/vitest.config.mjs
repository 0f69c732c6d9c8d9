import { defineConfig, mergeConfig } from 'vitest/config';
import { spineVitestConfig } from '../vitest.preset.ts';

export default mergeConfig(spineVitestConfig, defineConfig({ test: { include: ['*.test.mjs'] } }));
