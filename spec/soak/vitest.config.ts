import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config';

// `npm run soak`: the long versions of the reliability scenarios, outside `npm test`.
// Node runs with --expose-gc so the heap check uses the real `gc()`.
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...base.test,
    include: ['spec/soak/**/*.soak.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
  },
});
