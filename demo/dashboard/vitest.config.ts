import { defineConfig } from 'vitest/config';

// Angular's TestBed in JIT mode (decorators compiled at run time by @angular/compiler), with
// jsdom for the components; the simulator runs as a real HTTP server beside the tests.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'jsdom',
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
