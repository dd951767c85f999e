import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliResult } from './support/cli';
import { useCliFixture } from './support/fixture';

// Outside attack 5, F5 and F6: `cancel` against a server on 127.0.0.1 that accepts the DELETE
// and never ends its body (F6), or never answers it (F5, with Ctrl-C / SIGTERM).

const cli = useCliFixture({ server: false });
const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
/** Bound of the waits below: far under the 30 s request timeout the old code waited for. */
const BOUND_MS = 15_000;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server answering every DELETE with `answer`; resolves its URL and the DELETEs it saw. */
async function deleteServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; deletes: () => number; firstDelete: Promise<void> }> {
  let deletes = 0;
  let seen: () => void = () => undefined;
  const firstDelete = new Promise<void>((resolve) => (seen = resolve));
  server = createServer((req, res) => {
    if (req.method !== 'DELETE') return void res.writeHead(404).end();
    deletes++;
    seen();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deletes: () => deletes, firstDelete };
}

/** `done`, or a failure once `BOUND_MS` passed (the child is then killed). */
function bounded(run: { done: Promise<CliResult>; child: { kill(): void } }, what: string): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => (run.child.kill(), reject(new Error(`${what}: no exit within ${BOUND_MS} ms`))), BOUND_MS)));
  return Promise.race([run.done, late]).finally(() => clearTimeout(timer));
}

describe('smart-flows cancel against a hostile server', () => {
  it('F6: a DELETE answered 200 whose body never ends is a cancel, sent once, exit 0', async () => {
    const { url, deletes } = await deleteServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('accepted, and more to come');
    });
    const result = await bounded(cli.start(['cancel', ID], { env: { SMART_FLOWS_URL: url, SMART_FLOWS_API_KEY: 'k-cancel-hostile' } }), 'cancel');
    expect({ code: result.code, stdout: result.stdout, deletes: deletes() }).toEqual({ code: 0, stdout: `Canceled ${ID}\n`, deletes: 1 });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('F5: one %s while the DELETE is unanswered exits 130 at once, the DELETE sent once', async (signal) => {
    const { url, deletes, firstDelete } = await deleteServer(() => undefined);
    const run = cli.start(['cancel', ID], { env: { SMART_FLOWS_URL: url, SMART_FLOWS_API_KEY: 'k-cancel-hostile' } });
    await firstDelete;
    run.child.kill(signal);
    const result = await bounded(run, `cancel after one ${signal}`);
    expect({ code: result.code, deletes: deletes() }).toEqual({ code: 130, deletes: 1 });
    expect(result.stderr).toContain(ID);
  });
});
