import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { useCliFixture } from '../support/fixture';
import { documentContentId, hostileProxy, type HostileProxy } from '../support/proxy';

const cli = useCliFixture();
let proxy: HostileProxy | undefined;
afterEach(async () => {
  cli.events.rewrite(undefined);
  await proxy?.close();
  proxy = undefined;
});

/**
 * A hostile server in front of the simulator that spoils every download of the first document
 * asked for (retries and the other path spelling included) with `spoil`; the others pass.
 */
async function spoilFirstDocument(spoil: (res: ServerResponse) => void): Promise<Record<string, string>> {
  let spoiled: string | undefined;
  proxy = await hostileProxy(cli.server.url, (req, res) => {
    const id = documentContentId(req);
    if (id === undefined) return false;
    spoiled ??= id;
    if (id !== spoiled) return false;
    spoil(res);
    return true;
  });
  return { ...cli.env, SMART_FLOWS_URL: proxy.url };
}

/** The jobs file of `keys`, one `To` each. */
const jobsFile = (name: string, keys: readonly string[]) => cli.file(name, `key,To\n${keys.map((key) => `${key},Ann`).join('\n')}\n`);

describe('smart-flows batch --out: a document that cannot be downloaded', () => {
  it('skips a reference whose id is not a GUID, as the core does: every job succeeds and is written, exit 0', async () => {
    // Every execution GET names one more "document", whose id no request can name.
    cli.events.rewrite('execution', (body) => {
      const state = (body.state ?? {}) as { output?: Record<string, unknown> };
      return { ...body, state: { ...state, output: { ...state.output, odd: { id: 'doc-1', displayName: 'Odd.pdf', type: 'document' } } } };
    });
    const out = join(cli.dir, 'odd');
    const result = await cli.run(['batch', jobsFile('odd.csv', ['G1', 'G2']), '--flow', builtInFlows.short.id, '--concurrency', '1', '--out', out]);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0, stderr: expect.stringMatching(/2 jobs in [\d.]+ s: 2 succeeded, 0 failed\n/) });
    expect(readdirSync(out).sort()).toEqual(['G1', 'G2']);
    for (const key of ['G1', 'G2']) expect(readdirSync(join(out, key))).toEqual(['Letter.pdf']);
  });

  it.each([
    ['a 404', /status 404/, (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such document"}')],
    ['a connection cut in the body (every attempt)', /Network error/, (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '1000' });
      res.write('%PDF-1.4 only the start');
      res.destroy();
    }],
    ['an answer declared past the size limit', /too large for maxBytes/, (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(200 * 1024 * 1024) }).end()],
  ])('%s fails only that job, with the reason and its id; the others go on and are written (exit 1)', async (_label, reason, spoil) => {
    const env = await spoilFirstDocument(spoil);
    const name = `spoiled-${_label.length}`;
    const out = join(cli.dir, name);
    const result = await cli.run(['batch', jobsFile(`${name}.csv`, ['D1', 'D2', 'D3']), '--flow', builtInFlows.short.id, '--concurrency', '1', '--out', out, '--json'], { env });
    const lines = jsonLines(result.stdout);
    // The others go on while a download is retried: the lines come in any order.
    const jobs = lines.filter((line) => line.type === 'job' && line.state !== 'running').sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect({ code: result.code, summary: lines.at(-1) }).toEqual({ code: 1, summary: { type: 'summary', total: 3, succeeded: 2, failed: 1, running: 0, queued: 0 } });
    expect(jobs.map((job) => [job.key, job.state])).toEqual([
      ['D1', 'failed'],
      ['D2', 'succeeded'],
      ['D3', 'succeeded'],
    ]);
    expect(jobs[0]).toMatchObject({
      executionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      error: 'DocumentDownloadError',
      message: expect.stringMatching(new RegExp(`^could not download the document [0-9a-f-]{36}: .*(?:${reason.source})`)),
    });
    // Nothing of it is left: no file, no temporary one.
    expect(existsSync(join(out, 'D1')) ? readdirSync(join(out, 'D1')) : []).toEqual([]);
    for (const key of ['D2', 'D3']) expect(readdirSync(join(out, key))).toEqual(['Letter.pdf']);
  });
});

describe('smart-flows batch --out: a document that trickles in', () => {
  it('bounds each download by --timeout: that job fails with the reason and its id, the others are written (exit 1)', async () => {
    // One byte of a 1 MB answer, then nothing more: never a stall long enough for the transport's own limit.
    const env = await spoilFirstDocument((res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(1024 * 1024) });
      res.write('%');
    });
    const out = join(cli.dir, 'trickle');
    const result = await cli.run(['batch', jobsFile('trickle.csv', ['T1', 'T2']), '--flow', builtInFlows.short.id, '--concurrency', '1', '--out', out, '--timeout', '3s', '--json'], { env });
    const jobs = jsonLines(result.stdout).filter((line) => line.type === 'job' && line.state !== 'running');
    expect({ code: result.code, jobs: jobs.map((job) => [job.key, job.state]).sort() }).toEqual({ code: 1, jobs: [['T1', 'failed'], ['T2', 'succeeded']] });
    expect(jobs.find((job) => job.key === 'T1')).toMatchObject({ error: 'DocumentDownloadError', message: expect.stringMatching(/^could not download the document [0-9a-f-]{36}: no whole answer within 3000 ms \(--timeout\)$/) });
    expect(readdirSync(join(out, 'T2'))).toEqual(['Letter.pdf']);
  });
});

describe('smart-flows batch --out on Ctrl-C while a document downloads', () => {
  it('names the job that ended on the server and whose documents were not saved, with its execution id (exit 130)', async () => {
    // The server holds the document's answer: the job ended Success, its download is under way.
    let asked: () => void = () => undefined;
    const downloading = new Promise<void>((resolve) => (asked = resolve));
    proxy = await hostileProxy(cli.server.url, (req) => {
      if (documentContentId(req) === undefined) return false;
      asked();
      return true;
    });
    const out = join(cli.dir, 'held');
    const batch = cli.start(['batch', jobsFile('held.csv', ['H1']), '--flow', builtInFlows.short.id, '--out', out, '--json'], { env: { ...cli.env, SMART_FLOWS_URL: proxy.url } });
    await downloading;
    batch.child.kill('SIGINT');
    const result = await batch.done;
    const id = jsonLines(result.stdout).find((line) => line.type === 'job')?.executionId as string;
    expect({ code: result.code, interrupted: jsonLines(result.stdout).at(-1) }).toEqual({
      code: 130,
      interrupted: expect.objectContaining({ type: 'interrupted', running: [], documentsNotSaved: [{ key: 'H1', executionId: id }] }),
    });
    expect(result.stderr).toMatch(new RegExp(`^ {2}H1 {2}${id} {2}ended Success, documents not saved`, 'm'));
    expect(result.stderr).toContain(`smart-flows watch ${id} --out ${JSON.stringify(join(out, "H1"))}`);
  });
});

describe('smart-flows run --out: a document that cannot be downloaded', () => {
  it('exits 1 with the reason and the execution id, not a crash', async () => {
    const env = await spoilFirstDocument((res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such document"}'));
    const out = join(cli.dir, 'run-spoiled');
    const result = await cli.run(['run', builtInFlows.short.id, '--input', '-', '--out', out], { env, stdin: '<a/>' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404/);
    expect(`${result.stdout}${result.stderr}`).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('says the execution ended and its documents did not come within --timeout, not that it may still run, when a document trickles in (exit 1)', async () => {
    const env = await spoilFirstDocument((res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(1024 * 1024) });
      res.write('%');
    });
    const out = join(cli.dir, 'run-trickle');
    const result = await cli.run(['run', builtInFlows.short.id, '--input', '-', '--out', out, '--timeout', '3s'], { env, stdin: '<a/>' });
    const id = /Execution ([0-9a-f-]{36}) started/.exec(result.stderr)?.[1];
    expect(id).toBeDefined();
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/may still be running|goes on on the server/);
    expect(result.stderr).toContain(`execution ${id} ended Success; its documents did not come within 3000 ms (--timeout): get them with: smart-flows watch ${id} --out ${out}`);
  });

  it('on Ctrl-C while the documents download, says the execution ended and its documents were not saved, not that it goes on (exit 130)', async () => {
    let asked: () => void = () => undefined;
    const downloading = new Promise<void>((resolve) => (asked = resolve));
    proxy = await hostileProxy(cli.server.url, (req) => {
      if (documentContentId(req) === undefined) return false;
      asked();
      return true;
    });
    const out = join(cli.dir, 'run-held');
    const run = cli.start(['run', builtInFlows.short.id, '--input', '-', '--out', out, '--json'], { env: { ...cli.env, SMART_FLOWS_URL: proxy.url }, stdin: '<a/>' });
    await downloading;
    run.child.kill('SIGINT');
    const result = await run.done;
    const last = jsonLines(result.stdout).at(-1)!;
    expect({ code: result.code, last }).toEqual({ code: 130, last: expect.objectContaining({ type: 'interrupted', status: 'Success', documentsNotSaved: true }) });
    const id = last.executionId as string;
    expect(result.stderr).not.toMatch(/goes on on the server/);
    expect(result.stderr).toContain(`Interrupted: execution ${id} ended Success; its documents were not saved: get them with: smart-flows watch ${id} --out ${out}`);
  });
});
