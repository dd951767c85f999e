/* eslint-disable no-control-regex -- the point of this file is terminal escape sequences */
import { describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);

/** Issue 25 item 5: sets the title, clears the screen, rewrites the line as a success; then a one-byte CSI and a bidi override. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\r\x1b[2K Success 100% (spoofed)\x9b2J\u202eevil\u2066';
/** Anything a terminal acts on, or that reorders the text after it. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const hostileFlow = (id: string, outcome: 'Success' | 'Error') => ({
  ...builtInFlows.short,
  id,
  displayName: `Flow ${HOSTILE}`,
  stages: [{ message: `Stage ${HOSTILE}`, percentage: 10, durationMs: 50 }],
  outcome,
  outcomeMessage: `Ended ${HOSTILE}`,
  documents: [{ displayName: `Doc ${HOSTILE}.pdf`, contentType: 'application/pdf', bytes: '%PDF-1.4 hostile' }],
});

describe('server text on the terminal', () => {
  it('run, batch and list print hostile messages, display names and document names as harmless escapes; --json stays JSON', async () => {
    const ok = '5f1a0000-0000-4000-8000-0000000005a1';
    const bad = '5f1a0000-0000-4000-8000-0000000005a2';
    cli.server.simulator.addFlow(hostileFlow(ok, 'Success'));
    cli.server.simulator.addFlow(hostileFlow(bad, 'Error'));
    const out = join(cli.dir, 'hostile');
    const jobs = cli.file('hostile.jsonl', [
      { key: `k ${HOSTILE}`, flowId: ok, input: '<a/>' },
      { key: 'bad', flowId: bad, input: '<a/>' },
    ].map((j) => JSON.stringify(j)).join('\n'));

    const results = await Promise.all([
      cli.run(['run', ok, '--input', '-', '--out', out], { stdin: '<a/>' }),
      cli.run(['run', bad, '--input', '-'], { stdin: '<a/>' }),
      cli.run(['batch', jobs, '--out', join(out, 'batch')]),
      cli.run(['list', '--flow', bad]),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 1, 1, 0]);
    for (const { stdout, stderr } of results) {
      expect(stdout).not.toMatch(UNSAFE);
      expect(stderr).not.toMatch(UNSAFE);
    }
    const [run, failed, batch] = results;
    expect(run.stdout).toContain('Flow \\x1b]0;pwned\\x07\\x1b[2J \\x1b[2K Success 100% (spoofed)\\x9b2J\\u202eevil\\u2066 — Ended ');
    expect(failed.stdout).toMatch(/^Error {2}[0-9a-f-]{36} {2}Ended \\x1b\]0;pwned/);
    expect(batch.stdout).toMatch(/^Success +k \\x1b\]0;pwned/m);
    // The file itself is named by safeFileName (helper "secure"'s rule); what matters here is the line that names it.
    // Its C1 and bidi characters became `_` in the file name, so the line shows them as `_` too.
    expect(run.stdout).toMatch(/^ {2}wrote .*Doc _\]0;pwned__\[2J__\[2K Success 100% \(spoofed\)_2J_evil_\.pdf \(/m);

    const json = await cli.run(['run', ok, '--input', '-', '--json'], { stdin: '<a/>' });
    expect(json.stdout).not.toMatch(UNSAFE);
    expect(jsonLines(json.stdout).at(-1)).toMatchObject({ type: 'output', message: `Ended ${HOSTILE}` });
  });
});
