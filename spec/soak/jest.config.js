// `npm run soak`: the long versions of the reliability scenarios, outside `npm test`.
// Node runs with --expose-gc so the heap check uses the real `gc()`; files run one at a time.
import base from '../../jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/spec/soak/**/*.soak.ts'],
  testTimeout: 300_000,
};
