// jest.config.js — Jest in CommonJS mode, TypeScript through ts-jest, on Node >= 24.9 run with
// --experimental-vm-modules: Jest 30 then loads ES-module-only packages (msw 3 and its
// dependencies) through require(esm), so no transformIgnorePatterns are needed.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
};
