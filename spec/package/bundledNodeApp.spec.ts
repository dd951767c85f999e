import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { fastFlows, useSimulatorServer } from '../helpers/wireApi';

// A Node app bundled to one file (as for a serverless function or a container without
// node_modules) must run an object input: the core has to load the xml entry in a way the
// bundler follows. The app imports the built package (dist/, through its `exports`), the way
// a user's bundler sees it; dist/ is built first when it is missing or older than the sources.
const run = promisify(execFile);
const ROOT = path.resolve(process.cwd());
const server = useSimulatorServer();
let outDir: string;

/** Newest modification time under `dir` (recursively). */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? await newest(full) : (await stat(full)).mtimeMs);
  }
  return latest;
}

async function ensureBuilt(): Promise<void> {
  const built = await stat(path.join(ROOT, 'dist/index.js')).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(await newest(path.join(ROOT, 'lib')), ...(await Promise.all(['package.json', 'rollup.config.mjs'].map(async (f) => (await stat(path.join(ROOT, f))).mtimeMs))));
  if (built > sources) return;
  await run(process.execPath, [path.join(ROOT, 'node_modules/rollup/dist/bin/rollup'), '-c'], { cwd: ROOT });
}

/** The app, importing the package (ESM, resolved to dist/index.js) or requiring it (CJS, dist/index.cjs). */
const app = (style: 'import' | 'require') => `
${style === 'import'
    ? "import { SmartFlowsClient } from 'smart-flows-rx';\nimport { lastValueFrom } from 'rxjs';"
    : "const { SmartFlowsClient } = require('smart-flows-rx');\nconst { lastValueFrom } = require('rxjs');"}

async function main() {
  const client = new SmartFlowsClient({ baseUrl: process.env.SF_URL, apiKey: process.env.SF_KEY, polling: { intervalMs: 1, maxIntervalMs: 5 } });
  try {
    const event = await lastValueFrom(client.run(process.env.SF_FLOW, { Letter: { To: 'Ada & Co' } }));
    console.log(JSON.stringify({ type: event.type, status: event.progress.status }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.name, message: error.message }));
  }
}
main();
`;

beforeAll(async () => {
  await ensureBuilt();
  // Outside the repo, so nothing can be found by the package's own name at run time.
  outDir = await mkdtemp(path.join(tmpdir(), 'smart-flows-app-'));
}, 180_000);
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('a Node app bundled with esbuild to one file', () => {
  it.each([
    ['import', 'dist/index.js'],
    ['require', 'dist/index.cjs'],
  ] as const)('runs an object input against the simulator (%s: the xml entry is in the bundle)', async (style, core) => {
    const outfile = path.join(outDir, `app-${style}.cjs`);
    const result = await build({
      stdin: { contents: app(style), resolveDir: ROOT, sourcefile: 'app.js', loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      metafile: true,
      logLevel: 'silent',
      // Resolve the package as an app would (its `exports` and dist/), not through this repo's
      // tsconfig paths, which point at the sources.
      tsconfigRaw: '{}',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain(core);
    const startsBefore = starts().length;

    const { stdout } = await run(process.execPath, [outfile], {
      cwd: outDir,
      env: { PATH: process.env.PATH, SF_URL: server().url, SF_KEY: server().apiKey, SF_FLOW: fastFlows.short.id },
    });
    // Before the fix: {"error":"SmartFlowsInputError","message":"turning an object into XML needs the smart-flows-rx/xml entry, which could not be loaded here…"}
    expect(JSON.parse(stdout)).toEqual({ type: 'output', status: 'Success' });
    expect(inputs.some((i) => i.includes('node_modules/xmlbuilder2/'))).toBe(true);
    // The start went over the wire (the simulator answers XML that is not well-formed with 400).
    expect(starts().slice(startsBefore).map((r) => r.status)).toEqual([200]);
  });

  it('the browser build of the core (exports "browser") still bundles without xmlbuilder2 or the xml entry', async () => {
    const result = await build({
      stdin: { contents: "export * from 'smart-flows-rx';", resolveDir: ROOT, sourcefile: 'page.js', loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['rxjs'],
      metafile: true,
      logLevel: 'silent',
      tsconfigRaw: '{}',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('dist/index.browser.js');
    expect(inputs.filter((i) => i.includes('xmlbuilder2') || i.startsWith('dist/xml'))).toEqual([]);
  });
});

const starts = () => server().simulator.requests.filter((r) => r.method === 'POST' && r.route === 'start');
