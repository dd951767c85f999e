const { createCjsPreset } = require('jest-preset-angular/presets');

// Angular's TestBed in JIT mode (decorators compiled at run time by @angular/compiler), with
// jsdom for the components; the simulator runs as a real HTTP server beside the tests. The specs
// are typechecked by `tsc -p tsconfig.spec.json` before Jest runs; ts-jest only transpiles them
// (`isolatedModules` in tsconfig.json).
/** @type {import('jest').Config} */
module.exports = {
  ...createCjsPreset(),
  // jest-preset-angular's jsdom environment plus the fetch globals of Node (see the file).
  testEnvironment: '<rootDir>/jest.environment.cjs',
  // The preset's pattern (transform .mjs files and Angular's locales) plus the ESM-only packages
  // that msw, under the library's simulator, requires.
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|@angular/common/locales/.*\\.js$|(@open-draft/deferred-promise|rettime|until-async)/))'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // @angular/platform-server's bundled domino, as the server platform expects it (see the file).
  moduleNameMapper: { '^\\.\\./third_party/domino/bundled-domino\\.mjs$': '<rootDir>/jest.domino.cjs' },
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  // Resolve packages as Node does (the jsdom environment would pick `browser` exports): the
  // library's Node build, whose cross-fetch talks to the simulator's HTTP server.
  testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
  testTimeout: 20_000,
};
