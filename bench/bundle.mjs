// Part 3, bundle size: each entry bundled the way an app's bundler would ship it (ESM,
// minified, rxjs left to the app), gzipped, with each dependency's share from the metafile.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { printTable, round, target } from './common.mjs';
import { measureDashboardShare } from './dashboardShare.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE_LIMIT_KB = 12;
const NODE_BUILTINS_OF_XMLBUILDER2 = ['events', 'url'];

/** Which package (or this library) a metafile input path belongs to. */
function owner(path) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match ? match[1] : 'smart-flows-rx (own code)';
}

/**
 * Bundles `import * from specifier` with code splitting, so a dynamic `import()` becomes a lazy
 * chunk as in an app; measures what loads up front (the entry chunk and its static imports).
 */
async function measureEntry({ name, specifier, platform, external }) {
  const result = await esbuild.build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: ROOT, sourcefile: `${name}.entry.js`, loader: 'js' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform,
    target: 'es2022',
    minify: true,
    external,
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    // Resolve the package as an app would (its `exports` and dist/), not through this repo's
    // tsconfig paths, which point at the sources.
    tsconfigRaw: '{}',
  });
  const outputs = result.metafile.outputs;
  const entryOut = Object.keys(outputs).find((k) => outputs[k].entryPoint);
  // The entry chunk plus every chunk it imports statically: what an app loads up front.
  const upFront = new Set();
  const visit = (file) => {
    if (upFront.has(file)) return;
    upFront.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(entryOut);
  const texts = new Map(result.outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('/out/') + 1), f.contents]));
  const bytesOf = (files) => {
    const contents = [...files].map((f) => texts.get(f));
    const joined = Buffer.concat(contents.map((c) => Buffer.from(c)));
    return { minified: joined.length, gzip: gzipSync(joined, { level: 9 }).length };
  };
  const shares = new Map();
  const ownFiles = [];
  for (const file of upFront) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file].inputs)) {
      shares.set(owner(input), (shares.get(owner(input)) ?? 0) + bytesInOutput);
      if (!input.includes('node_modules')) ownFiles.push([input.replace(/^.*?lib\//, 'lib/'), bytesInOutput]);
    }
  }
  const lazy = Object.keys(outputs).filter((f) => !upFront.has(f) && f.endsWith('.js'));
  const lazyOwners = new Set(lazy.flatMap((f) => Object.keys(outputs[f].inputs).map(owner)));
  const size = bytesOf(upFront);
  const total = [...shares.values()].reduce((s, v) => s + v, 0);
  return {
    entry: specifier,
    platform,
    external,
    minifiedBytes: size.minified,
    gzipBytes: size.gzip,
    shares: Object.fromEntries([...shares].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, { minifiedBytes: v, share: round(v / total) }])),
    lazyChunks: lazy.length ? { ...bytesOf(lazy), packages: [...lazyOwners] } : undefined,
    packagesUpFront: [...shares.keys()],
    largestOwnFiles: Object.fromEntries(ownFiles.sort((a, b) => b[1] - a[1]).slice(0, 10)),
  };
}

export async function runBundleBenchmark() {
  const entries = [
    // platform 'browser' picks cross-fetch's browser build, as an app's bundler would.
    // xmlbuilder2 (lazy in the core, up front in `xml`) requires Node's `events` and `url`, which
    // browser bundlers do not provide: left external here (not counted), reported as a finding.
    { name: 'core', specifier: 'smart-flows-rx', platform: 'browser', external: ['rxjs', ...NODE_BUILTINS_OF_XMLBUILDER2] },
    { name: 'xml', specifier: 'smart-flows-rx/xml', platform: 'browser', external: ['rxjs', ...NODE_BUILTINS_OF_XMLBUILDER2] },
    // The simulator runs in Node (node:http) or in tests (msw, a peer the app already has).
    { name: 'testing', specifier: 'smart-flows-rx/testing', platform: 'node', external: ['rxjs', 'msw'] },
  ];
  const measured = [];
  for (const e of entries) measured.push({ name: e.name, ...(await measureEntry(e)) });
  const core = measured[0];
  const coreFreeOfXmlbuilder2 = !core.packagesUpFront.includes('xmlbuilder2');

  printTable('Part 3: bundle size (ESM, minified, rxjs external; gzip -9 of what loads up front)', measured.map((m) => ({
    entry: m.entry,
    platform: m.platform,
    'min KB': m.minifiedBytes / 1024,
    'gzip KB': m.gzipBytes / 1024,
    'shares of minified bytes': Object.entries(m.shares).map(([k, v]) => `${k} ${Math.round(v.share * 100)}%`).join(', '),
    'lazy chunk': m.lazyChunks ? `${round(m.lazyChunks.gzip / 1024)} KB gz (${m.lazyChunks.packages.join(', ')})` : '',
  })));
  const targets = [
    target('core entry, gzipped KB', core.gzipBytes / 1024, `≤ ${CORE_LIMIT_KB}`, core.gzipBytes <= CORE_LIMIT_KB * 1024),
    target('core entry loads xmlbuilder2 up front', coreFreeOfXmlbuilder2 ? 0 : 1, 'no (0)', coreFreeOfXmlbuilder2),
  ];
  // What a real Angular app ships from the library: the dashboard's production build.
  let dashboard;
  try {
    dashboard = measureDashboardShare();
    printTable('Part 3: what the Angular dashboard\'s production build carries from smart-flows-rx (gzip -9 of its generated code, per the source map)', [
      ...Object.entries(dashboard.parts).map(([part, m]) => ({ part, 'min KB': m.minifiedBytes / 1024, 'gzip KB': m.gzipBytes / 1024 })),
      { part: 'smart-flows-rx (core + angular entry)', 'min KB': dashboard.library.minifiedBytes / 1024, 'gzip KB': dashboard.library.gzipBytes / 1024 },
      { part: 'the whole app (all scripts)', 'min KB': dashboard.appScripts.minifiedBytes / 1024, 'gzip KB': dashboard.appScripts.gzipBytes / 1024 },
    ]);
  } catch (error) {
    dashboard = { error: String(error?.message ?? error) };
    console.error(`The dashboard's build could not be measured: ${dashboard.error}`);
  }
  printTable('Part 3 targets', targets);
  if (!coreFreeOfXmlbuilder2) console.error('FAIL: the core entry bundles xmlbuilder2 up front');
  return {
    notes: [
      'Bundled with esbuild (bundle, splitting, minify, format esm, target es2022); a dynamic import() becomes a lazy chunk as in an app.',
      'Shares are of minified bytes per package (esbuild metafile bytesInOutput); gzip is measured on the whole up-front output.',
    ],
    esbuild: esbuild.version,
    entries: measured,
    dashboard,
    coreFreeOfXmlbuilder2,
    targets,
  };
}
