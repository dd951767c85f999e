// jest.config.js — Jest in CommonJS mode, TypeScript through ts-jest.
// msw 2 brings packages that ship only ES modules (some as .mjs): let ts-jest compile them too.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': 'ts-jest' },
  transformIgnorePatterns: [
    'node_modules/(?!(msw|@mswjs|@bundled-es-modules|@open-draft|rettime|until-async|outvariant|strict-event-emitter|headers-polyfill)/)',
  ],
};
