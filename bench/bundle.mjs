// Part 3, bundle size: the package bundled the way an app's bundler ships it (ESM, minified,
// code splitting, rxjs left to the app), gzipped. (a) what a browser app using run, watch and
// runBatch loads up front, (b) each lazy chunk it may load later, the whole core entry and the
// other entries for comparison, and (c) the Angular dashboard's production build
// (dashboardShare.mjs). spec/package/browserWeight.spec.ts holds (a) to the same limit.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { printTable, round, target } from './common.mjs';
import { measureDashboardShare } from './dashboardShare.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Issue 15: what a run/watch/runBatch app loads up front, gzipped (zod included). */
export const UP_FRONT_LIMIT_KB = 12;
const NODE_BUILTINS_OF_XMLBUILDER2 = ['events', 'url'];

/** The sample app of (a): the three calls, XML strings as input (spec/package/browserWeight.spec.ts has the same). */
export const SAMPLE_APP = `
import { SmartFlowsClient } from 'smart-flows-rx';
const client = new SmartFlowsClient({ baseUrl: location.origin, apiKey: 'key' });
const flowId = '85f8fe94-6f61-4216-af6c-4889e2547b72';
client.run(flowId, '<Letter><To>Ada</To></Letter>').subscribe((e) => console.log(e.type));
client.watch('6de9206a-de42-4182-8f86-a9a8d29fbd56').subscribe((e) => console.log(e.type));
client.runBatch([{ flowId, input: '<Letter/>' }]).subscribe((s) => console.log(s.percentage));
`;

/** Which package, or which part of this library (its dist file, e.g. `core`, `enginePart`), a metafile input belongs to. */
function owner(path) {
  const own = /dist\/(?:browser\/)?([\w.]+)\.(?:js|cjs)$/.exec(path);
  if (own && !path.includes('node_modules/')) return `smart-flows-rx ${own[1].replace(/\.browser$/, '')}`;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match ? match[1] : path;
}

const gzip = (buffers) => gzipSync(Buffer.concat(buffers.map((b) => Buffer.from(b))), { level: 9 }).length;

/**
 * Bundles `contents` (an app, or `export * from` an entry) with code splitting, so a dynamic
 * `import()` becomes a lazy chunk as in an app; measures what loads up front (the entry chunk
 * and its static imports) and each lazy chunk (with the chunks it imports statically that are
 * not up front).
 * @param root - the package's directory (this repository; another checkout for a before/after)
 */
export async function measureBundle({ contents, platform, external, root = ROOT }) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
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
  const texts = new Map(result.outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('/out/') + 1), f.contents]));
  const closure = (file, seen = new Set()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && outputs[i.path]) closure(i.path, seen);
    return seen;
  };
  // The app's own output (a dynamic import() target is an entry point of the metafile too).
  const upFront = closure(Object.keys(outputs).find((k) => outputs[k].entryPoint === 'app.js'));
  const sharesOf = (files) => {
    const shares = new Map();
    for (const file of files) for (const [input, { bytesInOutput }] of Object.entries(outputs[file].inputs)) shares.set(owner(input), (shares.get(owner(input)) ?? 0) + bytesInOutput);
    const total = [...shares.values()].reduce((s, v) => s + v, 0);
    return Object.fromEntries([...shares].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, { minifiedBytes: v, share: round(v / total) }]));
  };
  const sizeOf = (files) => ({ minifiedBytes: [...files].reduce((s, f) => s + texts.get(f).length, 0), gzipBytes: gzip([...files].map((f) => texts.get(f))) });
  // Each dynamic import() target: what loading it adds to what is already up front.
  const dynamicTargets = new Set(Object.values(outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import' && outputs[i.path]).map((i) => i.path)));
  // The parts share chunks (zod, endpoints): a part loaded after the engine adds less.
  const engine = [...dynamicTargets].find((file) => Object.keys(outputs[file].inputs).some((i) => /enginePart\.js$/.test(i)));
  const withEngine = engine ? new Set([...upFront, ...closure(engine)]) : upFront;
  const lazyChunks = [...dynamicTargets].map((file) => {
    const adds = [...closure(file)].filter((f) => !upFront.has(f));
    const shares = sharesOf(adds);
    const afterEngine = [...closure(file)].filter((f) => !withEngine.has(f));
    return { loads: Object.keys(shares).join(' + '), chunks: adds.length, ...sizeOf(adds), afterEngineGzipBytes: file === engine ? undefined : sizeOf(afterEngine).gzipBytes, shares };
  }).sort((a, b) => b.gzipBytes - a.gzipBytes);
  const shares = sharesOf(upFront);
  return { ...sizeOf(upFront), shares, packagesUpFront: [...new Set(Object.keys(shares).map((k) => k.replace(/^smart-flows-rx .*/, 'smart-flows-rx')))], lazyChunks };
}

export async function runBundleBenchmark() {
  const browser = { platform: 'browser', external: ['rxjs', ...NODE_BUILTINS_OF_XMLBUILDER2] };
  // (a) and (b): the sample app. platform 'browser' picks the package's browser build (and
  // cross-fetch's), as an app's bundler would.
  const app = { name: 'run/watch/runBatch app', entry: 'smart-flows-rx (SAMPLE_APP)', ...browser, ...(await measureBundle({ contents: SAMPLE_APP, ...browser })) };
  const entries = [
    // Every export of the core used: what the initial bundle would hold at most.
    { name: 'core', specifier: 'smart-flows-rx', ...browser },
    // xmlbuilder2 requires Node's `events` and `url`, which browser bundlers do not provide:
    // left external here (not counted).
    { name: 'xml', specifier: 'smart-flows-rx/xml', ...browser },
    // The simulator runs in Node (node:http) or in tests (msw, a peer the app already has).
    { name: 'testing', specifier: 'smart-flows-rx/testing', platform: 'node', external: ['rxjs', 'msw'] },
  ];
  const measured = [app];
  for (const e of entries) measured.push({ name: e.name, entry: e.specifier, platform: e.platform, external: e.external, ...(await measureBundle({ contents: `export * from '${e.specifier}';`, ...e })) });
  const core = measured[1];
  const coreFreeOfXmlbuilder2 = !core.packagesUpFront.includes('xmlbuilder2') && !app.packagesUpFront.includes('xmlbuilder2');

  const sharesText = (shares) => Object.entries(shares).map(([k, v]) => `${k} ${Math.round(v.share * 100)}%`).join(', ');
  printTable('Part 3: bundle size (ESM, minified, code splitting, rxjs external; gzip -9 of what loads up front)', measured.map((m) => ({
    bundle: m.name === 'core' ? 'smart-flows-rx (export *)' : m.entry,
    platform: m.platform,
    'min KB': m.minifiedBytes / 1024,
    'gzip KB': m.gzipBytes / 1024,
    'shares of minified bytes': sharesText(m.shares),
    'lazy chunks': m.lazyChunks.length,
  })));
  printTable('Part 3 (b): the lazy chunks of the run/watch/runBatch app (each with the chunks it imports that are not up front)', app.lazyChunks.map((c) => ({
    'loaded at the first': c.loads,
    chunks: c.chunks,
    'min KB': c.minifiedBytes / 1024,
    'gzip KB': c.gzipBytes / 1024,
    'gzip KB once the engine is loaded': c.afterEngineGzipBytes === undefined ? '' : c.afterEngineGzipBytes / 1024,
  })));
  const targets = [
    target('run/watch/runBatch app, up front, gzipped KB', app.gzipBytes / 1024, `≤ ${UP_FRONT_LIMIT_KB}`, app.gzipBytes <= UP_FRONT_LIMIT_KB * 1024),
    target('core entry loads xmlbuilder2 up front', coreFreeOfXmlbuilder2 ? 0 : 1, 'no (0)', coreFreeOfXmlbuilder2),
  ];
  // (c) What a real Angular app ships from the library: the dashboard's production build.
  let dashboard;
  try {
    dashboard = measureDashboardShare();
    printTable('Part 3 (c): what the Angular dashboard\'s production build carries from smart-flows-rx (gzip -9 of its generated code, per the source map)', [
      ...Object.entries(dashboard.parts).map(([part, m]) => ({ part, 'initial min KB': m.initial.minifiedBytes / 1024, 'initial gzip KB': m.initial.gzipBytes / 1024, 'lazy min KB': m.lazy.minifiedBytes / 1024, 'lazy gzip KB': m.lazy.gzipBytes / 1024 })),
      { part: 'smart-flows-rx (core + angular entry)', 'initial min KB': dashboard.library.initial.minifiedBytes / 1024, 'initial gzip KB': dashboard.library.initial.gzipBytes / 1024, 'lazy min KB': dashboard.library.lazy.minifiedBytes / 1024, 'lazy gzip KB': dashboard.library.lazy.gzipBytes / 1024 },
      { part: `the whole app (${dashboard.appScripts.files} scripts)`, 'initial min KB': dashboard.appScripts.initial.minifiedBytes / 1024, 'initial gzip KB': dashboard.appScripts.initial.gzipBytes / 1024, 'lazy min KB': dashboard.appScripts.lazy.minifiedBytes / 1024, 'lazy gzip KB': dashboard.appScripts.lazy.gzipBytes / 1024 },
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
      '"Up front" is the entry chunk and every chunk it imports statically; a lazy chunk\'s figure is what loading it adds (its static imports not already up front).',
      'Shares are of minified bytes per package or per file of dist/ (esbuild metafile bytesInOutput); gzip is measured on the whole output.',
    ],
    esbuild: esbuild.version,
    sampleApp: SAMPLE_APP.trim(),
    entries: measured,
    dashboard,
    coreFreeOfXmlbuilder2,
    targets,
  };
}
