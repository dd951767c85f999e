import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // describe/test/expect and the hooks as globals, as under Jest: the same test file runs in both.
    globals: true,
  },
});
