import { spineVitestConfig } from '../../tooling/vitest.preset.ts';

export default spineVitestConfig;
