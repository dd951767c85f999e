import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';
import { documentContentId, hostileProxy, type HostileProxy } from './support/proxy';
import { LETTER, testClient } from './support/server';

// Outside attack 5, F1: exit 3 says "nothing can have started" (a CI job may retry on it). Once
// the start answered (or, for watch, the execution was seen), no failure may exit 3: a document
// download the network spoiled exits 1 like batch, naming the execution and how to get them.

const cli = useCliFixture();
let proxy: HostileProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const spoilers: [string, (res: ServerResponse) => void][] = [
  ['a reset', (res) => res.socket?.resetAndDestroy()],
  ['a connection closed mid-body', (res) => {
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '1000' });
    res.write('%PDF-1.4 only the start');
    res.destroy();
  }],
  ['a corrupt gzip body', (res) => {
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-encoding': 'gzip' });
    res.end(Buffer.concat([gzipSync('%PDF-1.4 whole').subarray(0, 10), Buffer.from('not gzip at all, garbage')]));
  }],
];

/** A hostile server on 127.0.0.1 in front of the simulator that answers the requests `when` picks with `spoil`. */
async function spoiling(when: (req: IncomingMessage) => boolean, spoil: (res: ServerResponse) => void): Promise<Record<string, string>> {
  proxy = await hostileProxy(cli.server.url, (req, res) => {
    if (!when(req)) return false;
    spoil(res);
    return true;
  });
  return { ...cli.env, SMART_FLOWS_URL: proxy.url };
}

const isDownload = (req: IncomingMessage) => documentContentId(req) !== undefined;
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('run and watch --out: the documents of a successful execution cannot be downloaded', () => {
  it.each(spoilers)('run: %s on the document exits 1 (not 3), the Success line on stdout, the watch --out hint', async (_label, spoil) => {
    const env = await spoiling(isDownload, spoil);
    const out = join(cli.dir, `run-${_label.length}`);
    const result = await cli.run(['run', builtInFlows.short.id, '--input', cli.file('letter.xml', LETTER), '--out', out], { env });
    const id = GUID.exec(result.stdout)?.[0];
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: expect.stringMatching(/^Success {2}[0-9a-f-]{36} .*could not download the document/m) });
    expect(result.stderr).toContain(`get them with: smart-flows watch ${id} --out ${out}`);
    expect(result.stderr).not.toContain('cannot reach the server');
    expect(existsSync(out) ? readdirSync(out).filter((name) => !name.startsWith('.')) : []).toEqual([]);
  });

  it('run --json: the error line is a DocumentDownloadError with the executionId, exit 1', async () => {
    const env = await spoiling(isDownload, spoilers[0]![1]);
    const out = join(cli.dir, 'run-json');
    const result = await cli.run(['run', builtInFlows.short.id, '--input', cli.file('letter.xml', LETTER), '--out', out, '--json'], { env });
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ type: 'error', error: 'DocumentDownloadError', executionId: expect.stringMatching(GUID), status: 'Success', message: expect.stringContaining('could not download the document') });
  });

  it.each(spoilers)('watch: %s on the document exits 1 (not 3), with the hint', async (_label, spoil) => {
    const started = await lastValueFrom(testClient(cli.server).startExecution(builtInFlows.short.id, LETTER));
    const env = await spoiling(isDownload, spoil);
    const out = join(cli.dir, `watch-${_label.length}`);
    const result = await cli.run(['watch', started.id, '--out', out], { env });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: expect.stringMatching(new RegExp(`^Success {2}${started.id} .*could not download the document`, 'm')) });
    expect(result.stderr).toContain(`get them with: smart-flows watch ${started.id} --out ${out}`);
  });
});

describe('run and watch: the server lost after the start answered', () => {
  it('run: every execution GET reset after the start answered exits 1 (not 3), naming the execution', async () => {
    // The start (POST) passes; every GET of the execution (polls, the final GET) is reset.
    const env = await spoiling((req) => req.method === 'GET' && /\/executions\/[0-9a-f-]{36}/i.test(req.url ?? ''), spoilers[0]![1]);
    const result = await cli.run(['run', builtInFlows.short.id, '--input', cli.file('letter.xml', LETTER)], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`smart-flows watch ${GUID.source}`));
  });

  it('watch: a server that is not there from the first request still exits 3 (watch starts nothing)', async () => {
    const env = await spoiling(() => true, spoilers[0]![1]);
    const result = await cli.run(['watch', '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10'], { env });
    expect(result.code).toBe(3);
  });
});
