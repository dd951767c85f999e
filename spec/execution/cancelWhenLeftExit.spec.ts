import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { type HostileServer, startHostileServer } from '../reliability/support/hostileServer';

// The cancel that `cancelOnUnsubscribe` sends is fire-and-forget: nobody waits for it, so it
// must not keep a Node process alive. It is bounded (CANCEL_LIMIT_MS, 5 s), not unref'd: a
// script that unsubscribes and has nothing else to do must end on its own within that bound
// even when the server never answers the DELETE. Only a real process shows this, so a small
// app is bundled from the sources (esbuild, through tsconfig's paths: an edit of lib/ is
// what runs) and spawned against a server that holds every DELETE forever.
const ROOT = path.resolve(process.cwd());
const EXEC = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const FLOW = '5f1a0000-0000-4000-8000-000000000199';
/**
 * How long after its unsubscribe the app may live: CANCEL_LIMIT_MS (5 s) and room to wind down on
 * a loaded machine. A cancel that kept the process alive would keep it for good (with the limit
 * raised to 60 s), so a generous bound still tells the two apart.
 */
const EXIT_WITHIN_MS = 20_000;

const app = `
import { take } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';

const client = new SmartFlowsClient({ baseUrl: process.env.SF_URL, apiKey: 'a-test-key', polling: { intervalMs: 50 } });
if (process.env.SF_LEAVE === 'during-start') {
  // Leaves while the start's answer is on its way: when the test writes a line on stdin (the
  // server has the POST). The start is handed over, not aborted (issue 24), and must not keep
  // the process alive either.
  const sub = client.run(process.env.SF_FLOW, '<Letter/>', { cancelOnUnsubscribe: true }).subscribe({ error: () => undefined });
  process.stdin.once('data', () => {
    sub.unsubscribe();
    process.stdin.destroy();
    process.stdout.write(JSON.stringify({ unsubscribedAt: 'start' }) + '\\n');
  });
} else {
  // take(1) unsubscribes from the run at its first event, while the execution is Running.
  client.run(process.env.SF_FLOW, '<Letter/>', { cancelOnUnsubscribe: true }).pipe(take(1)).subscribe({
    next: (event) => process.stdout.write(JSON.stringify({ unsubscribedAt: event.progress.status }) + '\\n'),
    error: (error) => process.stdout.write(JSON.stringify({ error: error.name }) + '\\n'),
  });
}
`;

let server: HostileServer;
let outDir: string;
let appFile: string;
/** DELETEs held open, answered never (released at the end so the server can close). */
const held: ServerResponse[] = [];

beforeAll(async () => {
  server = await startHostileServer();
  outDir = await mkdtemp(path.join(tmpdir(), 'smart-flows-cancel-exit-'));
  appFile = path.join(outDir, 'app.cjs');
  const result = await build({
    stdin: { contents: app, resolveDir: ROOT, sourcefile: 'app.ts', loader: 'ts' },
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: appFile,
    metafile: true,
    logLevel: 'silent',
  });
  // The sources, not a build that could be stale.
  expect(Object.keys(result.metafile.inputs)).toContain('lib/execution/cancelWhenLeft.ts');
}, 60_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

interface Outcome {
  /** What the app printed at its unsubscribe. */
  printed: unknown;
  /** The process ended by itself (false: killed EXIT_WITHIN_MS after the unsubscribe). */
  exitedOnItsOwn: boolean;
  exitCode: number | null;
  /** From the unsubscribe (the app's line on stdout) to the process's exit, in ms. */
  exitAfterUnsubscribeMs: number;
}

/**
 * Spawns the app; kills it if it still runs EXIT_WITHIN_MS after it said it unsubscribed.
 * @param leave - `'during-start'`: the app leaves when `tell` is called (a line on its stdin)
 */
function runApp(leave?: 'during-start', tell?: (send: () => void) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [appFile], {
      cwd: outDir,
      env: { PATH: process.env.PATH, SF_URL: server.url, SF_FLOW: FLOW, ...(leave ? { SF_LEAVE: leave } : {}) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    tell?.(() => child.stdin.write('leave\n'));
    let out = '';
    let unsubscribedAt: number | undefined;
    let killer: ReturnType<typeof setTimeout> | undefined;
    // Before the unsubscribe too: an app that never gets there must not hang the suite.
    const startBound = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (unsubscribedAt === undefined && out.includes('\n')) {
        unsubscribedAt = performance.now();
        clearTimeout(startBound);
        killer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(startBound);
      clearTimeout(killer);
      const line = out.split('\n')[0] ?? '';
      resolve({
        printed: line ? (JSON.parse(line) as unknown) : undefined,
        exitedOnItsOwn: signal === null,
        exitCode: code,
        exitAfterUnsubscribeMs: unsubscribedAt === undefined ? NaN : Math.round(performance.now() - unsubscribedAt),
      });
    });
  });
}

describe('cancelOnUnsubscribe in a Node process', () => {
  it(`a cancel the server never answers does not keep the process alive: it exits on its own within ${EXIT_WITHIN_MS / 1000} s of the unsubscribe, after one DELETE`, async () => {
    const progress = (res: ServerResponse) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: EXEC, status: 'Running', percentage: 10, message: 'Working' }));
    server.use((req, res) => {
      if (req.method === 'DELETE') return void held.push(res); // never answered
      progress(res); // the start and every poll: still running
    });

    const outcome = await runApp();

    const deletes = server.seen.filter((r) => r.method === 'DELETE').map((r) => r.path.split('?')[0]);
    const { exitAfterUnsubscribeMs, ...how } = outcome;
    // With CANCEL_LIMIT_MS raised to 60 s: exitedOnItsOwn false, exitCode null (killed 20 s after the unsubscribe).
    expect(how).toEqual({ printed: { unsubscribedAt: 'Running' }, exitedOnItsOwn: true, exitCode: 0 });
    expect(exitAfterUnsubscribeMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(deletes).toEqual([`/api/v1/flows/executions/${EXEC}/progress`]);
  }, 90_000);

  it(`a start left while its answer is on its way, never answered, does not keep the process alive either: exit within ${EXIT_WITHIN_MS / 1000} s, no DELETE`, async () => {
    server.seen.length = 0;
    let leave: (() => void) | undefined;
    server.use((req, res) => {
      if (req.method === 'POST') {
        held.push(res); // the execution is made, its answer never comes
        leave?.();
        return;
      }
      res.writeHead(500).end();
    });

    const outcome = await runApp('during-start', (send) => (leave = send));

    const { exitAfterUnsubscribeMs, ...how } = outcome;
    expect(how).toEqual({ printed: { unsubscribedAt: 'start' }, exitedOnItsOwn: true, exitCode: 0 });
    expect(exitAfterUnsubscribeMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(server.seen.filter((r) => r.method === 'DELETE')).toEqual([]);
  }, 90_000);
});
