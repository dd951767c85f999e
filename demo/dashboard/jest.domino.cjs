// @angular/platform-server imports its bundled domino (an ES module) by default import. Jest's
// transform of .mjs files (esbuild, in Node's interop mode) would hand it the module object
// ({ default: domino }) instead of domino: this maps that import to domino itself.
module.exports = require(require.resolve('@angular/platform-server/package.json').replace(/package\.json$/, 'third_party/domino/bundled-domino.mjs')).default;
