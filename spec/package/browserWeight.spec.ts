import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { build, type Metafile, type Plugin } from 'esbuild';

// Issue 15: a browser app using only run, watch and runBatch (XML strings as input) loads at
// most 12 KB gzipped of smart-flows-rx up front (rxjs external, zod included); the engine a
// flow needs, documents, listings, login and the journal are lazy chunks. Bench part 3
// (bench/bundle.mjs) measures the same app from the built package; this spec bundles the
// sources (no build needed), the way the browser build does, so the weight cannot creep back.

const ROOT = path.resolve(process.cwd());
const LIMIT_BYTES = 12 * 1024;

/** The sample app of bench part 3 (bench/bundle.mjs, SAMPLE_APP): the three calls, XML strings. */
const SAMPLE_APP = `
import { SmartFlowsClient } from 'smart-flows-rx';
const client = new SmartFlowsClient({ baseUrl: location.origin, apiKey: 'key' });
const flowId = '85f8fe94-6f61-4216-af6c-4889e2547b72';
client.run(flowId, '<Letter><To>Ada</To></Letter>').subscribe((e) => console.log(e.type));
client.watch('6de9206a-de42-4182-8f86-a9a8d29fbd56').subscribe((e) => console.log(e.type));
client.runBatch([{ flowId, input: '<Letter/>' }]).subscribe((s) => console.log(s.percentage));
`;

/** The package name resolves to the sources; `defaultFetch` and the diagnostics (`channels`, `traceRun`, `traceRequest`) to their browser variants (as rollup.config.mjs's browser build). */
const asBrowserBuild: Plugin = {
  name: 'as-browser-build',
  setup(b) {
    b.onResolve({ filter: /^smart-flows-rx$/ }, () => ({ path: path.join(ROOT, 'lib/index.ts') }));
    b.onResolve({ filter: /\/(defaultFetch|channels|traceRun|traceRequest)$/ }, (args) => b.resolve(`${args.path}.browser`, { resolveDir: args.resolveDir, kind: args.kind }));
  },
};

async function bundleSampleApp() {
  const result = await build({
    stdin: { contents: SAMPLE_APP, resolveDir: ROOT, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    external: ['rxjs'],
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [asBrowserBuild],
  });
  const outputs: Metafile['outputs'] = result.metafile.outputs;
  const upFront = new Set<string>();
  const visit = (file: string): void => {
    if (upFront.has(file)) return;
    upFront.add(file);
    for (const i of outputs[file]!.imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  // The app's own output (a dynamic import() target is an entry point of the metafile too).
  visit(Object.keys(outputs).find((k) => outputs[k]!.entryPoint === 'app.js')!);
  const text = new Map(result.outputFiles.map((f) => [path.relative(ROOT, f.path), f.contents]));
  const upFrontInputs = [...upFront].flatMap((f) => Object.keys(outputs[f]!.inputs));
  const gzipBytes = gzipSync(Buffer.concat([...upFront].map((f) => text.get(f)!)), { level: 9 }).length;
  const lazyChunks = Object.keys(outputs).filter((f) => f.endsWith('.js') && !upFront.has(f));
  return { gzipBytes, upFrontInputs, lazyInputs: lazyChunks.flatMap((f) => Object.keys(outputs[f]!.inputs)) };
}

describe('browser weight of smart-flows-rx (issue 15)', () => {
  it(`loads at most 12 KB gzipped up front in an app using run, watch and runBatch`, async () => {
    const { gzipBytes } = await bundleSampleApp();
    expect(gzipBytes).toBeGreaterThan(2_000);
    expect(gzipBytes).toBeLessThanOrEqual(LIMIT_BYTES);
  }, 30_000);

  it('keeps the error paths\' and the rare parts\' code out of the initial bundle (the redactor, binary reading, the hold policy, the journal)', async () => {
    // Modules the up-front code names only for what loads later: esbuild puts a module wherever
    // any up-front module imports it statically, so each must be reached through its own small
    // module or an import() (issue 24's hardening had brought 2.6 KB of them up front).
    const { upFrontInputs, lazyInputs } = await bundleSampleApp();
    const rare = [/lib\/internal\/redact\.ts$/, /lib\/http\/bodyStream\.ts$/, /lib\/http\/readBinary\.ts$/, /lib\/execution\/holdPolicy\.ts$/, /lib\/batch\/appendRecord\.ts$/];
    expect(upFrontInputs.filter((i) => rare.some((r) => r.test(i)))).toEqual([]);
    for (const r of rare) expect(lazyInputs.some((i) => r.test(i))).toBe(true);
  }, 30_000);

  it('keeps zod, the calls, the poll loop and the XML check out of the initial bundle (they load with the first call)', async () => {
    const { upFrontInputs, lazyInputs } = await bundleSampleApp();
    const heavy = [/node_modules\/zod\//, /lib\/api\/schemas\.ts$/, /lib\/execution\/followExecution\.ts$/, /lib\/xml\/checkXml\.ts$/, /lib\/batch\/openJournal\.ts$/, /lib\/api\/documents\.ts$/];
    expect(upFrontInputs.filter((i) => heavy.some((h) => h.test(i)))).toEqual([]);
    for (const h of heavy) expect(lazyInputs.some((i) => h.test(i))).toBe(true);
  }, 30_000);
});
