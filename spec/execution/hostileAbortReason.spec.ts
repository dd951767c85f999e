import { describe, expect, it } from '@jest/globals';
import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processBundleOptions } from '../helpers/processBundle';

// Attack 6, M1 and L2: an abort whose `reason` cannot be read (a `name` getter that throws, a
// revoked Proxy, a Proxy whose every trap throws). The abort error reads the reason's `name` for
// its message; that read threw out of the signal's 'abort' listener: an uncaught exception (the
// process died) and a stream that never ended. Before or during the engine load the stream
// errored with the raw throw instead of `SmartFlowsAbortError`. Here in a process of its own
// (an uncaught exception is the process's business), against a 127.0.0.1 server that never
// answers: every stream must end with `SmartFlowsAbortError` (the reason as `cause`), and
// nothing may reach `uncaughtException`.
const ROOT = process.cwd();
const DRIVER = `
import http from 'node:http';
import { SmartFlowsClient } from 'smart-flows-rx';
const uncaught = [];
process.on('uncaughtException', (e) => uncaught.push(String(e?.message)));
let inFlight;
const server = http.createServer(() => inFlight?.()).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:' + server.address().port, apiKey: 'k' });
const EX = '6de9206a-de42-4182-8f86-a9a8d29fbd56', FLOW = '85f8fe94-6f61-4216-af6c-4889e2547b72', DOC = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
const reasons = {
  throwingName: () => ({ get name() { throw new Error('name boom'); } }),
  revoked: () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; },
  throwingTraps: () => new Proxy({}, { get() { throw new Error('get boom'); }, has() { throw new Error('has boom'); }, getPrototypeOf() { throw new Error('proto boom'); }, ownKeys() { throw new Error('keys boom'); } }),
};
const calls = {
  watch: (signal) => client.watch(EX, { signal }),
  startExecution: (signal) => client.startExecution(FLOW, '<A/>', { signal }),
  downloadDocument: (signal) => client.downloadDocument(DOC, { signal }),
};
/** One call aborted with one reason, at 'pre' (already aborted), 'load' (the same tick: the engine loads) or 'flight' (its request at the server). */
async function one(call, which, at) {
  const controller = new AbortController();
  const reason = reasons[which]();
  if (at === 'pre') controller.abort(reason);
  const arrived = new Promise((r) => (inFlight = r));
  const ended = new Promise((resolve) => calls[call](controller.signal).subscribe({ error: (e) => resolve(e), complete: () => resolve('completed') }));
  if (at === 'load') controller.abort(reason);
  if (at === 'flight') { await arrived; controller.abort(reason); }
  // Bounded: a stream that never ends is the defect (2 s, in a process where it takes about 1 ms).
  const e = await Promise.race([ended, new Promise((r) => setTimeout(() => r('never ended'), 2000).unref())]);
  return { call, which, at, ended: typeof e === 'string' ? e : { name: e.name, message: e.message, causeIsReason: e.cause === reason } };
}
const results = [];
// The engine is not loaded yet for the first two (a fresh process).
results.push(await one('watch', 'throwingName', 'pre'));
results.push(await one('watch', 'revoked', 'load'));
for (const call of Object.keys(calls)) for (const which of Object.keys(reasons)) results.push(await one(call, which, 'flight'));
server.closeAllConnections();
server.close();
console.log(JSON.stringify({ results, uncaught }));
`;

describe('an abort reason that cannot be read (attack 6, M1 and L2), in a process of its own', () => {
  it('every stream ends with SmartFlowsAbortError carrying the reason, and nothing is thrown uncaught', () => {
    mkdirSync(resolve(ROOT, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(resolve(ROOT, 'node_modules/.cache/abort-reason-'));
    try {
      writeFileSync(join(dir, 'app.mjs'), DRIVER);
      buildSync({ ...processBundleOptions(join(dir, 'app.mjs'), join(dir, 'bundle.mjs')), alias: { ...processBundleOptions('', '').alias, 'smart-flows-rx': resolve(ROOT, 'lib/index.ts') } });
      const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'bundle.mjs')], { encoding: 'utf8', timeout: 20_000 })) as {
        results: { call: string; which: string; at: string; ended: unknown }[];
        uncaught: string[];
      };
      const ended = { name: 'AbortError', message: expect.stringMatching(/^The signal aborted the stream/), causeIsReason: true };
      expect(out).toEqual({ results: out.results.map((r) => ({ ...r, ended })), uncaught: [] });
      expect(out.results).toHaveLength(11);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
