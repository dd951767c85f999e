// Builds each entry as ESM and CJS (esbuild) plus bundled declarations (rollup-plugin-dts).
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entries = { index: 'lib/index.ts', xml: 'lib/xml/index.ts', testing: 'lib/testing/index.ts', angular: 'lib/angular/index.ts', node: 'lib/node/index.ts', bullmq: 'lib/bullmq/index.ts', otel: 'lib/otel/index.ts' };
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
    // And the diagnostics channels and tracing for pass-throughs (no `diagnostics_channel` in a browser).
    if (!/\/(defaultFetch|channels|traceRun|traceRequest)$/.test(source) || !importer) return null;
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

// The browser build of the core keeps the lazily loaded parts (the engine a flow needs, documents,
// listings, login, journal: see lib/internal/lazyModule.ts) as chunks in dist/browser/, so an
// app's bundler makes them lazy chunks too and its initial bundle holds only the client's facade.
// The Node builds inline them (one file each; `import()` of them becomes a resolved promise).
const browserCore = {
  input: { 'index.browser': entries.index },
  external,
  plugins: [browserFetch, esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
  output: {
    dir: 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    // The code the entry shares with the lazy parts is its own chunk (the entry's exports stay
    // exactly the public ones): `browser/core.js`, the rest named after their part.
    // Small chunks of code two parts share (schemas, endpoints) stay apart: merging one into a
    // part would make the other part load that whole part.
    chunkFileNames: (chunk) => `browser/${chunk.name === 'index' ? 'core' : chunk.name}.js`,
  },
};

// The `smart-flows` command (package.json `bin`): ESM only, no declarations. Bench part 7 times
// its start (issue 31 item 3): a `run` of a short flow should cost at most 2.5× `node -e 0`. So
// the command carries its own copy of what it runs on, tree-shaken into its chunks: the core's
// sources, and RxJS and zod, which are peer/dependencies of the library but whose package
// entries load whole (rxjs 7's Node entry is its CommonJS build, every operator: about 70 ms
// of a start). This copy is for the bin only: the library entries below keep RxJS and zod
// external, and a user's app still gets one RxJS (the command is a process of its own, and
// shares no Observable with anyone). The xml entry stays a reference by the package's own name
// (Node resolves a package's self-reference through `exports`): only a batch with JSON lines
// needs it, with xmlbuilder2. The simulator it starts is bundled in, because the testing entry
// also holds the msw handlers and msw is an optional peer the command never needs. It sends
// over node:http (lib/cli/httpFetch.ts), so the core's default fetch (cross-fetch) is swapped
// for the plain global one it never calls.
const selfEntries = { [resolve('lib/xml/index.ts')]: `${pkg.name}/xml` };
const selfReference = {
  name: 'self-reference',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    const target = selfEntries[resolve(dirname(importer), source.replace(/(\.js)?$/, '.ts'))];
    return target ? { id: target, external: true } : null;
  },
};
const cliOwnCopies = {
  name: 'cli-own-copies',
  async resolveId(source, importer, options) {
    // rxjs's `exports` give Node its CommonJS build: its ES module build is the one that tree-shakes.
    if (source === 'rxjs') return fileURLToPath(new URL('./node_modules/rxjs/dist/esm/index.js', import.meta.url));
    if (source === './defaultFetch' && importer) return this.resolve('./defaultFetch.browser', importer, { ...options, skipSelf: true });
    return null;
  },
};
const CLI_EXTERNAL = ['xmlbuilder2', 'cross-fetch', 'msw', `${pkg.name}/xml`];
const cli = {
  input: 'lib/cli/cli.ts',
  external: (id) => id.startsWith('node:') || CLI_EXTERNAL.some((d) => id === d || id.startsWith(`${d}/`)),
  // A bare `import 'msw'` left by the unused msw handlers would make msw required.
  treeshake: { moduleSideEffects: 'no-external' },
  plugins: [
    selfReference,
    cliOwnCopies,
    nodeResolve({ exportConditions: ['node', 'import'], preferBuiltins: true }),
    esbuild({ target: 'node20', tsconfig: 'tsconfig.json', define: { __SMART_FLOWS_VERSION__: JSON.stringify(pkg.version) } }),
  ],
  // Each command is a chunk of its own (dist/cli-<name>.js) loaded when it runs, so `--help` and
  // `--version` load no RxJS, zod, xmlbuilder2 or client (bench part 7 times the start).
  output: {
    dir: 'dist',
    format: 'es',
    entryFileNames: 'cli.js',
    chunkFileNames: 'cli-[name].js',
    banner: (chunk) => (chunk.isEntry ? '#!/usr/bin/env node' : ''),
  },
};

export default [browserCore, cli, ...Object.entries(entries).flatMap(([name, input]) => [
  {
    input,
    external,
    plugins: [nodeXmlEntry, esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
    output: [
      { file: `dist/${name}.js`, format: 'es', paths: xmlPath('./xml.js'), inlineDynamicImports: true },
      // require() for the lazily loaded xml entry, so CJS users (Jest without ESM) can load it.
      { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named', dynamicImportInCjs: false, paths: xmlPath('./xml.cjs'), inlineDynamicImports: true },
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
