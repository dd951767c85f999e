import { describe, expect, it, jest } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { readJobs } from '../../lib/cli/readJobs';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);
/** An XML input of about 20 MB: twice the server's limit of 10 MiB characters. */
const huge = `<Letter><Body>${'x'.repeat(20_000_000)}</Body></Letter>`;

describe('the 10 MiB input limit', () => {
  it('is checked with the jobs file: the line of a 20 MB input is named, before anything is sent', () => {
    const text = [{ key: 'small', input: '<a/>' }, { key: 'big', input: huge }].map((j) => JSON.stringify(j)).join('\n');
    expect(() => readJobs(text, { name: 'jobs.jsonl', format: 'jsonl', flowId: builtInFlows.short.id, root: 'Input' })).toThrow(
      `jobs.jsonl line 2: the input is ${huge.length} bytes (UTF-8); the limit is 10485760 bytes (10 MiB)`,
    );
  });

  it('makes batch exit 2 with nothing started when one job of three has a 20 MB input', async () => {
    const jobs = cli.file('huge.jsonl', [{ key: 'J1', input: '<a/>' }, { key: 'J2', input: huge }, { key: 'J3', input: '<a/>' }].map((j) => JSON.stringify(j)).join('\n'));
    const requests = cli.server.simulator.stats.requests;
    const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`huge\\.jsonl line 2: the input is ${huge.length} bytes \\(UTF-8\\); the limit is 10485760 bytes \\(10 MiB\\)$`));
    expect(cli.server.simulator.stats.requests).toBe(requests);
  });

  it('counts bytes, as the server does: 6 million characters of non-Latin text (12 MB in UTF-8) are refused before anything is sent', async () => {
    const wide = `<Letter><Body>${'é'.repeat(6_000_000)}</Body></Letter>`;
    expect(wide.length).toBeLessThan(10 * 1024 * 1024);
    const jobs = cli.file('wide.jsonl', [{ key: 'W1', input: '<a/>' }, { key: 'W2', input: wide }].map((j) => JSON.stringify(j)).join('\n'));
    const requests = cli.server.simulator.stats.requests;
    const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id]);
    expect({ code: result.code, line: result.stderr.split('\n')[0] }).toEqual({
      code: 2,
      line: expect.stringMatching(new RegExp(`wide\\.jsonl line 2: the input is ${Buffer.byteLength(wide)} bytes \\(UTF-8\\); the limit is 10485760 bytes \\(10 MiB\\)$`)),
    });
    expect(cli.server.simulator.stats.requests).toBe(requests);
  });
});
