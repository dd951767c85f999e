// `npm run soak`: the long versions of the reliability scenarios, outside `npm test`.
// Node runs with --expose-gc so the heap check uses the real `gc()`; files run one at a time.
import base from '../../jest.config.js';

// A soak run is a measurement: its specs write the `soak` section of spec/reliability/results.json
// (recordResults writes only with RELIABILITY_RECORD=1, so that `npm test` leaves the file alone).
// Set here rather than in the npm script, so it works in every shell; the run is in band.
process.env.RELIABILITY_RECORD ??= '1';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/spec/soak/**/*.soak.ts'],
  testTimeout: 300_000,
};
