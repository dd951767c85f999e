import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';

// Outside attack 6, L5: after a start that was sent, the exit code (4) was right but the words
// were not: a connection reset after sending read "cannot reach the server" (exit 3's words,
// "nothing started"), and an answer that came but was malformed, or (batch) a 502/503, read
// "its answer never came". The words say what happened; the `smart-flows list` advice stays.

const cli = useCliFixture({ server: false });
const FLOW = '5f1a0000-0000-4000-8000-000000000001';
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const ANSWERS: Record<string, Answer> = {
  /** The start is read whole, then the connection is reset: nothing answers. */
  reset: (req) => req.socket.resetAndDestroy(),
  /** A 200 whose body is cut JSON. */
  badJson: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "status": '),
  /** A 200 whose execution id is not a GUID. */
  badId: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '../admin', status: 'Running', percentage: 0 })),
  s502: (_req, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad gateway'),
  /** Busy; the listing the look reads answers 404, so the look cannot tell. */
  s503: (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'gateway busy' })),
};

/** A server on 127.0.0.1 that answers each start with `answer` (once its body is read) and anything else 404. */
async function startServer(answer: Answer): Promise<Record<string, string>> {
  server = createServer((req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no listing"}');
      return;
    }
    req.resume().on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { SMART_FLOWS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, SMART_FLOWS_API_KEY: 'k-sent-start-wording-1' };
}

const LIST_HINT = `smart-flows list --flow ${FLOW}`;

describe('run: a start that was sent, its outcome unknown (exit 4)', () => {
  it.each<[string, RegExp]>([
    ['reset', /^smart-flows: the connection broke after the start was sent: Network error \(ECONNRESET\)/m],
    ['badJson', /^The server answered the start, but its answer could not be read: an execution may exist all the same/m],
    ['badId', /^The server answered the start, but its answer could not be read: an execution may exist all the same/m],
    ['s502', /^The server answered the start \(HTTP 502\): an execution may exist all the same/m],
  ])('%s: says what happened, never "cannot reach the server" nor "never came", with the list advice', async (name, said) => {
    const env = await startServer(ANSWERS[name]!);
    const result = await cli.run(['run', FLOW, '--input', cli.file('letter.xml', '<Letter/>')], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(said);
    expect(result.stderr).not.toContain('cannot reach the server');
    expect(result.stderr).not.toContain('never came');
    expect(result.stderr).toContain(LIST_HINT);
  });

  it('reset, --json: the error line\'s message says the connection broke after the start was sent', async () => {
    const env = await startServer(ANSWERS.reset!);
    const result = await cli.run(['run', FLOW, '--input', cli.file('letter.xml', '<Letter/>'), '--json'], { env });
    expect(result.code).toBe(4);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      type: 'error',
      executionMayExist: true,
      message: expect.stringMatching(/^the connection broke after the start was sent: Network error \(ECONNRESET\)/),
    });
  });
});

describe('batch: starts that were sent, their outcome unknown (exit 4)', () => {
  it.each<[string, string]>([
    ['reset', 'the connection broke after the start was sent'],
    ['badJson', 'the server answered the start, but its answer could not be read'],
    ['s502', 'the server answered the start (HTTP 502)'],
    ['s503', 'the server answered the start busy (HTTP 503)'],
  ])('%s: names each job with what happened to its start, never "never came", with the list advice', async (name, said) => {
    const env = await startServer(ANSWERS[name]!);
    const jobs = cli.file(`jobs-${name}.csv`, 'key,To\nA1,Ann\nA2,Bob\n');
    const result = await cli.run(['batch', jobs, '--flow', FLOW, '--concurrency', '1'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^2 starts were sent and their outcome is unknown: an execution may exist for each:$/m);
    for (const key of ['A1', 'A2']) expect(result.stderr).toContain(`  ${key}  (flow ${FLOW}: ${said})`);
    expect(result.stderr).not.toContain('cannot reach the server');
    expect(result.stderr).not.toContain('never came');
    expect(result.stderr).toContain(LIST_HINT);
  });

  it('reset, --json: each job\'s error message says the connection broke after the start was sent', async () => {
    const env = await startServer(ANSWERS.reset!);
    const jobs = cli.file('jobs-reset-json.csv', 'key,To\nA1,Ann\n');
    const result = await cli.run(['batch', jobs, '--flow', FLOW, '--json'], { env });
    expect(result.code).toBe(4);
    const messages = JSON.stringify(jsonLines(result.stdout));
    expect(messages).toContain('the connection broke after the start was sent: Network error (ECONNRESET)');
    expect(messages).not.toContain('cannot reach the server');
  });
});
