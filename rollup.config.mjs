// Builds each entry as ESM and CJS (esbuild) plus bundled declarations (rollup-plugin-dts).
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entries = { index: 'lib/index.ts', xml: 'lib/xml/index.ts', testing: 'lib/testing/index.ts', angular: 'lib/angular/index.ts' };
const deps = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'msw',
  pkg.name,
];
// The angular entry imports the core as `smart-flows-rx` (one client class, one token) and
// Angular's packages (`@angular/core`, `@angular/common/http`…), which stay external.
// Packages stay external (users' bundlers resolve them); so do node: built-ins and the
// library's own entries when one imports another (the core loads `./xml` lazily).
const external = (id) =>
  id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));

// The browser build of the core swaps cross-fetch (a 10 KB polyfill there) for the global fetch.
const browserFetch = {
  name: 'browser-fetch',
  async resolveId(source, importer, options) {
    if (!source.endsWith('/defaultFetch') || !importer) return null;
    return this.resolve(`${source}.browser`, importer, { ...options, skipSelf: true });
  },
};

// No source maps: dist/ is unminified esbuild output, as readable as the source, and the maps
// (with the sources inlined) were 2/3 of the tarball.

// The Node builds load the xml entry by a relative import bundlers follow (`./xml.js` or
// `./xml.cjs` next to the core): `loadXmlEntry` becomes `loadXmlEntry.node`, whose import of
// `../xml/index` stays external. The browser build keeps the loader bundlers do not follow.
const XML_SOURCE = fileURLToPath(new URL('./lib/xml/index.ts', import.meta.url));
const nodeXmlEntry = {
  name: 'node-xml-entry',
  async resolveId(source, importer, options) {
    if (!importer) return null;
    if (source === './loadXmlEntry') return this.resolve('./loadXmlEntry.node', importer, { ...options, skipSelf: true });
    if (source === '../xml/index' && /loadXmlEntry\.node\.ts$/.test(importer)) return { id: XML_SOURCE, external: true };
    return null;
  },
};
const xmlPath = (file) => (id) => (id === XML_SOURCE ? file : id);

const browserCore = {
  input: entries.index,
  external,
  plugins: [browserFetch, esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
  output: { file: 'dist/index.browser.js', format: 'es' },
};

export default [browserCore, ...Object.entries(entries).flatMap(([name, input]) => [
  {
    input,
    external,
    plugins: [nodeXmlEntry, esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
    output: [
      { file: `dist/${name}.js`, format: 'es', paths: xmlPath('./xml.js') },
      // require() for the lazily loaded xml entry, so CJS users (Jest without ESM) can load it.
      { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named', dynamicImportInCjs: false, paths: xmlPath('./xml.cjs') },
    ],
  },
  {
    input,
    external,
    plugins: [dts()],
    output: [
      { file: `dist/${name}.d.ts`, format: 'es' },
      { file: `dist/${name}.d.cts`, format: 'es' },
    ],
  },
])];
