const { createCjsPreset } = require('jest-preset-angular/presets');

// The dashboard's Jest setup (../jest.config.cjs), for its specs of the angular entry only: the
// app's own specs need the app, which is on Angular 22. `src/`, `jest.environment.cjs` and
// `jest.domino.cjs` are copies of the dashboard's, made by `npm run setup`, so every import
// resolves to Angular 20 here.
/** @type {import('jest').Config} */
module.exports = {
  ...createCjsPreset(),
  testEnvironment: '<rootDir>/jest.environment.cjs',
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|@angular/common/locales/.*\\.js$|(@open-draft/deferred-promise|rettime|until-async)/))'],
  testMatch: ['<rootDir>/src/entry/**/*.spec.ts'],
  // @angular/platform-server's bundled domino, as the server platform expects it (../jest.domino.cjs).
  moduleNameMapper: { '^\\.\\./third_party/domino/bundled-domino\\.mjs$': '<rootDir>/jest.domino.cjs' },
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
  testTimeout: 20_000,
};
