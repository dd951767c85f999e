// Angular 22 runs on Node ^22.22.3, ^24.15.0 or >= 26 (the `engines` of package.json). Every
// dashboard script runs this first, so an older Node gets one plain sentence rather than npm's
// engine warnings and a failure deep inside the Angular CLI or Jest.
const [major, minor, patch] = process.versions.node.split('.').map(Number);
const atLeast = (m, p) => minor > m || (minor === m && patch >= p);
if (!(major >= 26 || (major === 24 && atLeast(15, 0)) || (major === 22 && atLeast(22, 3)))) {
  console.error(
    `The dashboard runs on Angular 22, which needs Node ^22.22.3, ^24.15.0 or >= 26; this is Node ${process.versions.node}.\n` +
      'Run it with Node 22 or 24 (nvm, fnm, or nodejs.org); the library itself and `npm test` work on Node 20.',
  );
  process.exit(1);
}
