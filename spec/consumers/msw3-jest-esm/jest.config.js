// jest.config.js — Jest in ESM mode ("type": "module" in package.json), TypeScript through
// ts-jest; run with: node --experimental-vm-modules node_modules/jest/bin/jest.js
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
