import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run on the sources; the package's own entry names point at them.
    alias: [
      { find: /^smart-flows-rx\/xml$/, replacement: src('./lib/xml/index.ts') },
      { find: /^smart-flows-rx\/testing$/, replacement: src('./lib/testing/index.ts') },
      { find: /^smart-flows-rx\/node$/, replacement: src('./lib/node/index.ts') },
      { find: /^smart-flows-rx$/, replacement: src('./lib/index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
