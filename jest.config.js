// Jest runs the specs as CommonJS, compiled by SWC (types are checked by `npm run typecheck`).
// The package's own entry names point at the sources, so no build is needed to test.

import { jestDepsMapper } from './spec/helpers/jestDeps.js';

// msw 2 and these dependencies of it ship ES modules (some only `.mjs`): compile them too.
const ESM_ONLY = ['msw', '@mswjs', '@bundled-es-modules', '@open-draft', 'rettime', 'until-async', 'outvariant', 'strict-event-emitter', 'headers-polyfill'];

const swc = (syntax) => ['@swc/jest', {
  jsc: { target: 'es2022', parser: syntax === 'typescript' ? { syntax } : { syntax: 'ecmascript' } },
  module: { type: 'commonjs' },
}];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['<rootDir>/spec/**/*.spec.ts'],
  // The consumer projects run on the packed tarball, through spec/consumers/run.mjs.
  modulePathIgnorePatterns: ['<rootDir>/spec/consumers/'],
  // rxjs, msw, zod and xmlbuilder2 as one file each, built by globalSetup (see jestDeps.js).
  globalSetup: '<rootDir>/spec/helpers/jestDeps.js',
  // The slow files first, also in a fresh clone (see sequencer.js).
  testSequencer: '<rootDir>/spec/helpers/sequencer.js',
  moduleNameMapper: {
    ...jestDepsMapper(),
    '^smart-flows-rx/xml$': '<rootDir>/lib/xml/index.ts',
    '^smart-flows-rx/testing$': '<rootDir>/lib/testing/index.ts',
    '^smart-flows-rx/otel$': '<rootDir>/lib/otel/index.ts',
    '^smart-flows-rx$': '<rootDir>/lib/index.ts',
    // Relative imports written with the `.js` of the compiled file name.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.(js|mjs)$': swc('ecmascript'),
  },
  transformIgnorePatterns: [`node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testTimeout: 20_000,
  // Jest's default is one worker per core less one: a single worker on a 2-core machine. Some
  // specs wait on sockets, timers and child processes (the CLI's, the crash test's), so more
  // workers than cores keep both busy: on this 2-core machine (1,686 tests, quiet machine,
  // 2026-12-02, with the dependency bundles of jestDeps.js) 3 workers took 63 and 66 s, 4 took 53 and
  // 57 s. (Before those bundles, when loading modules was most of the CPU, 4 gained nothing.)
  maxWorkers: 4,
};
