// The Workers in workerd: worker.mjs and worker-nodejs-compat.mjs bundled as wrangler bundles a Worker
// (esbuild, platform browser, conditions workerd, worker, browser; with nodejs_compat, Node's
// built-ins left to the runtime as wrangler leaves them), then served by workerd through
// miniflare (its folder in MINIFLARE), the simulator's URL as bindings. Miniflare 4 needs Node ≥ 22.
import { build } from 'esbuild';

const COMPATIBILITY_DATE = '2026-07-30';
const ANSWER_LIMIT_MS = 60_000;

// What wrangler does with nodejs_compat for a CommonJS `require('events')` (xmlbuilder2's): the
// bundle gets a static `import * from 'node:events'`, since workerd has no dynamic require.
const nodeBuiltins = {
  name: 'node-builtins',
  setup(build) {
    build.onResolve({ filter: /^(events|url)$/ }, ({ path }) => ({ path, namespace: 'node-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, ({ path }) => ({ contents: `export * from 'node:${path}';`, loader: 'js' }));
  },
};

/**
 * Bundles `entry` as wrangler would (or, with `platform: 'neutral'`, as a bundler that knows only
 * the `workerd` and `worker` conditions); returns the bundle's file and the package files it holds.
 */
async function bundle(entry, nodejsCompat, platform = 'browser') {
  const outfile = `dist/${platform}-${entry}`;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform,
    conditions: platform === 'browser' ? ['workerd', 'worker', 'browser'] : ['workerd', 'worker'],
    ...(platform === 'neutral' ? { mainFields: ['module', 'main'] } : {}),
    outfile,
    metafile: true,
    logLevel: 'silent',
    ...(nodejsCompat ? { plugins: [nodeBuiltins], external: ['node:*'] } : {}),
  });
  return { outfile, inputs: Object.keys(result.metafile.inputs), kb: Math.round(result.metafile.outputs[outfile].bytes / 1024) };
}

/** Serves `scriptPath` in workerd and sends it `paths` one after another; resolves to each answer's status and JSON body. */
async function serve(Miniflare, env, scriptPath, compatibilityFlags, paths = ['/']) {
  const mf = new Miniflare({
    // The bundle named as its one module: with `scriptPath` miniflare walks the imports and
    // refuses the browser build's computed `import()` of the xml entry (never called here).
    modules: [{ type: 'ESModule', path: scriptPath }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags,
    bindings: { SMART_FLOWS_URL: env.SIM_URL, SMART_FLOWS_API_KEY: env.SIM_API_KEY, FLOW_ID: env.LETTER_FLOW },
  });
  try {
    const answers = [];
    for (const path of paths) {
      // Bounded, so a Worker that never answers fails the check instead of holding CI.
      let timer;
      const limit = new Promise((resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer to ${path} in ${ANSWER_LIMIT_MS} ms`)), ANSWER_LIMIT_MS)));
      const response = await Promise.race([mf.dispatchFetch(`http://worker.test${path}`), limit]).finally(() => clearTimeout(timer));
      const text = await response.text();
      let body = {};
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: an error page, reported as text
      }
      answers.push({ status: response.status, text: text.slice(0, 300), body });
    }
    return answers;
  } finally {
    await mf.dispose();
  }
}

/** Which build of the core a bundle holds: the browser build (global fetch, no cross-fetch). */
function reportBuild(report, check, { inputs, kb, error }) {
  if (error) return report(check, false, error.message.split('\n').slice(0, 4).join(' '));
  const builds = inputs.filter((f) => /node_modules\/smart-flows-rx\/dist\/index[^/]*\.js$/.test(f));
  const crossFetch = inputs.some((f) => f.includes('node_modules/cross-fetch/'));
  report(check, builds.length === 1 && builds[0].endsWith('dist/index.browser.js') && !crossFetch, `${builds.join(', ')}; cross-fetch: ${crossFetch ? 'bundled' : 'no'}; ${kb} KB`);
}

const served = ({ status, body }) => status === 200 && body.status === 'Success' && body.documents?.[0]?.text === '%PDF-1.4 letter';

/** Bundles and serves both Workers; reports each check through `report(check, ok, detail)`. */
export async function runWorker(env, report) {
  const { Miniflare } = await import(`${process.env.MINIFLARE}/dist/src/index.js`);

  const core = await bundle('worker.mjs', false);
  reportBuild(report, 'bundled as wrangler does, the core is the browser build', core);
  const neutral = await bundle('worker.mjs', false, 'neutral').catch((error) => ({ error }));
  reportBuild(report, 'bundled with only the workerd and worker conditions, the same', neutral);
  const [plain] = await serve(Miniflare, env, core.outfile, []);
  report('fetch handler runs a flow, downloads its document (no compatibility flag)', served(plain), `${plain.status}: ${plain.text}`);

  const compat = await bundle('worker-nodejs-compat.mjs', true);
  const [withXml, journaled, again] = await serve(Miniflare, env, compat.outfile, ['nodejs_compat'], ['/xml', '/journal', '/journal']);
  report('object input through the xml entry (nodejs_compat)', served(withXml) && /ACME &amp; Sons/.test(withXml.body.input ?? ''), `${withXml.status}: ${withXml.text}`);
  report('runBatch with fileJournal in /tmp (nodejs_compat)', journaled.status === 200 && journaled.body.succeeded === 3, `${journaled.status}: ${journaled.text}`);
  // Not a check (a later workerd may keep files): whether the next request found that journal.
  console.log(`workerd: the next request's batch took ${again.body.fromJournal} of 3 jobs from the journal (${again.status}: ${again.text})`);
}
