// `npm run test:redis`: the BullMQ test against a real redis-server (Debian's package), outside
// `npm test` because a newcomer's machine has no Redis. The test starts redis-server itself on a
// free loopback port and stops it after; the workers run the README's recipe on the built package.
import base from '../../../jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../../..',
  roots: ['<rootDir>/spec/bullmq/redis'],
  testMatch: ['<rootDir>/spec/bullmq/redis/**/*.redis.ts'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
