import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { builtInFlows, type FlowScript, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';
import { LETTER } from './support/server';

// Outside attack 5, F2: a key with characters a file name cannot hold (`/`, `:`) echoed in a
// document's name. Cleaned first (`/` → `_`), the redaction no longer knew the key; the server's
// name is redacted first and cleaned second, so no piece of the key reaches a file name, stdout,
// --json or the journal.

const KEY = 'abcdefg/hijklmn/opqrstu/vwxyz12';
/** Pieces of the key that cleaning keeps (any of them printed is a leak). */
const PIECES = ['abcdefg', 'hijklmn', 'opqrstu', 'vwxyz12'];
const FLOW_ID = '5f1a0000-0000-4000-8000-0000000f2001';

const cli = useCliFixture();
let server: SimulatorServer | undefined;
let env: Record<string, string> = {};

beforeAll(async () => {
  server = await startSimulatorServer({ port: 0, apiKeys: [KEY] });
  const flow: FlowScript = {
    ...builtInFlows.short,
    id: FLOW_ID,
    stages: [{ message: 'Generate', percentage: 10, durationMs: 20 }],
    outcome: 'Success',
    documents: [{ displayName: `Letter-${KEY}.pdf`, contentType: 'application/pdf', bytes: '%PDF-1.4 key' }],
  };
  server.simulator.addFlow(flow);
  env = { SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: KEY };
});
afterAll(async () => {
  await server?.close();
});

const leaks = (text: string) => PIECES.filter((piece) => text.includes(piece));

describe('a document named with the key (which holds `/`)', () => {
  it('run --out: the file, the wrote line and --json fileName/path show [redacted]', async () => {
    const out = join(cli.dir, 'run');
    const text = await cli.run(['run', FLOW_ID, '--input', cli.file('letter.xml', LETTER), '--out', out], { env });
    const json = await cli.run(['run', FLOW_ID, '--input', cli.file('letter.xml', LETTER), '--out', join(cli.dir, 'run-json'), '--json'], { env });
    expect({ text: text.code, json: json.code }).toEqual({ text: 0, json: 0 });
    expect(readdirSync(out)).toEqual(['Letter-[redacted].pdf']);
    expect(readdirSync(join(cli.dir, 'run-json'))).toEqual(['Letter-[redacted].pdf']);
    expect(text.stdout).toMatch(/wrote .*Letter-\[redacted\]\.pdf/);
    const output = jsonLines(json.stdout).find((line) => line.type === 'output') as { documents: { fileName: string; path: string }[] };
    expect(output.documents.map((d) => d.fileName)).toEqual(['Letter-[redacted].pdf']);
    expect(leaks(text.stdout + text.stderr + json.stdout + json.stderr)).toEqual([]);
  });

  it('watch --out: the file and the wrote line show [redacted]', async () => {
    const client = new SmartFlowsClient({ baseUrl: server!.url, apiKey: KEY });
    const started = await lastValueFrom(client.startExecution(FLOW_ID, LETTER));
    const out = join(cli.dir, 'watch');
    const result = await cli.run(['watch', started.id, '--out', out, '--json'], { env });
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(['Letter-[redacted].pdf']);
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
  });

  it('batch --out --journal: the file, stdout, --json and the journal file show [redacted]', async () => {
    const jobs = cli.file('key.csv', 'key,To\nA1,Ann\n');
    const out = join(cli.dir, 'batch');
    const journal = join(cli.dir, 'key.journal');
    const result = await cli.run(['batch', jobs, '--flow', FLOW_ID, '--out', out, '--journal', journal, '--concurrency', '1'], { env });
    const json = await cli.run(['batch', jobs, '--flow', FLOW_ID, '--out', join(cli.dir, 'batch-json'), '--concurrency', '1', '--json'], { env });
    expect({ text: result.code, json: json.code }).toEqual({ text: 0, json: 0 });
    expect(readdirSync(join(out, 'A1')).filter((f) => f.endsWith('.pdf'))).toEqual(['Letter-[redacted].pdf']);
    expect(readFileSync(journal, 'utf8')).toContain('Letter-[redacted].pdf');
    expect(leaks(result.stdout + result.stderr + json.stdout + json.stderr + readFileSync(journal, 'utf8'))).toEqual([]);
  });
});
