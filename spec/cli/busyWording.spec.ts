import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';

// Outside attack 5, F9: a start answered 503 (busy) whose look could not tell (the listing
// answered 404): exit 4, said in the command's words (an answer came; `smart-flows list`), not
// "its answer never came" nor the library's `listExecutions`.

const cli = useCliFixture({ server: false });
const FLOW = '5f1a0000-0000-4000-8000-000000000001';
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server on 127.0.0.1 that answers every start 503 and every other request 404. */
async function busyServer(): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    const status = req.method === 'POST' ? 503 : 404;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: status === 503 ? 'gateway busy' : 'no listing' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('run: a start answered busy whose execution may exist', () => {
  it('exits 4 saying the server answered busy, and how to look with smart-flows list', async () => {
    const url = await busyServer();
    const env = { SMART_FLOWS_URL: url, SMART_FLOWS_API_KEY: 'k-busy-wording-1' };
    const text = await cli.run(['run', FLOW, '--input', cli.file('letter.xml', '<Letter/>')], { env });
    const json = await cli.run(['run', FLOW, '--input', cli.file('letter.xml', '<Letter/>'), '--json'], { env });
    expect({ text: text.code, json: json.code }).toEqual({ text: 4, json: 4 });
    expect(text.stderr).toMatch(/the server answered the start busy \(HTTP 503\)/i);
    expect(text.stderr).toContain(`smart-flows list --flow ${FLOW}`);
    const error = jsonLines(json.stdout).at(-1)!;
    expect(error).toMatchObject({ type: 'error', executionMayExist: true });
    for (const said of [text.stderr, String(error.message)]) {
      expect(said).not.toContain('listExecutions');
      expect(said).not.toContain('answer never came');
    }
  });
});
