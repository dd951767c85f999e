// `npm run test:redis`: the BullMQ test against a real redis-server (Debian's package), outside
// `npm test` because a newcomer's machine has no Redis. The test starts redis-server itself on a
// free loopback port and stops it after; the workers run the README's recipe on the built package.
// `BULLMQ=5` runs it on BullMQ 5 (the `bullmq5` alias): here through the mapper below, in the
// worker processes through bullmq5.mjs. `npm run test:fleet` is the scale test (FLEET=1).
import base from '../../../jest.config.js';

const fleet = process.env.FLEET === '1';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../../..',
  roots: ['<rootDir>/spec/bullmq/redis'],
  testMatch: fleet ? ['<rootDir>/spec/bullmq/redis/**/*.fleet.ts'] : ['<rootDir>/spec/bullmq/redis/**/*.redis.ts'],
  moduleNameMapper: { ...base.moduleNameMapper, ...(process.env.BULLMQ === '5' ? { '^bullmq$': 'bullmq5' } : {}) },
  testTimeout: fleet ? 1_800_000 : 240_000,
  maxWorkers: 1,
};
