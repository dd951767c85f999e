/* eslint-disable no-control-regex -- the live line is drawn with terminal escape sequences */
import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { builtInFlows, type FlowScript, SIMULATOR_USER } from 'smart-flows-rx/testing';
import { cleanEnv, jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';
import { testClient } from './support/server';

// Outside attack 3, item 6: a server that echoes the credential in its progress text. The CLI
// prints the server's text (the running line, --json events, the result line); what it prints
// goes through the client's redaction (client.redactText), as its errors already did.

const cli = useCliFixture();
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const itWithPty = hasScript ? it : it.skip;
let flows = 0;

/** A flow whose stage message, outcome message and document name quote `secret`. */
function echoingFlow(secret: string): string {
  const id = `5f1a0000-0000-4000-8000-0000000e0${String(++flows).padStart(3, '0')}`;
  const flow: FlowScript = {
    ...builtInFlows.short,
    id,
    stages: [{ message: `Stage for ${secret}`, percentage: 10, durationMs: 50 }],
    outcome: 'Success',
    outcomeMessage: `Done for ${secret}`,
    documents: [{ displayName: `Letter for ${secret}.pdf`, contentType: 'application/pdf', bytes: '%PDF-1.4 echo' }],
  };
  cli.server.simulator.addFlow(flow);
  return id;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI under a pseudo-terminal (`script`); gives everything the terminal showed. */
function underPty(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, cli.cli.file, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv({ ...env, TERM: 'xterm', COLUMNS: '120' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (screen += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (screen += c));
    child.on('error', reject);
    child.on('close', () => resolve(screen));
  });
}

describe('smart-flows run against a server echoing the credential', () => {
  const cases: [string, () => Promise<{ secret: string; env: Record<string, string> }>][] = [
    ['the API key', async () => ({ secret: cli.env.SMART_FLOWS_API_KEY!, env: cli.env })],
    ['a bearer token', async () => {
      const token = await lastValueFrom(testClient(cli.server).login(SIMULATOR_USER));
      return { secret: token, env: { SMART_FLOWS_URL: cli.server.url, SMART_FLOWS_TOKEN: token } };
    }],
  ];

  it.each(cases)('prints [redacted] for %s in the running progress line, the result line and --json events', async (_name, credentials) => {
    const { secret, env } = await credentials();
    const flowId = echoingFlow(secret);
    const text = await cli.run(['run', flowId, '--skip-user-input'], { env });
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/^ {2}Running 10% Stage for \[redacted\]$/m);
    expect(text.stdout).toMatch(/^Success .* — Done for \[redacted\] /m);
    const json = await cli.run(['run', flowId, '--skip-user-input', '--json'], { env });
    expect(json.code).toBe(0);
    const progress = jsonLines(json.stdout).filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.message)).toContain('Stage for [redacted]');
    for (const { stdout, stderr } of [text, json]) expect(stdout + stderr).not.toContain(secret);
  });

  it('names a document whose name echoes the key [redacted] on disk (run --out, batch --out)', async () => {
    const secret = cli.env.SMART_FLOWS_API_KEY!;
    const flowId = echoingFlow(secret);
    const out = join(cli.dir, `echo-${flows}`);
    const run = await cli.run(['run', flowId, '--skip-user-input', '--out', join(out, 'run')]);
    expect(run.code).toBe(0);
    const jobs = cli.file(`echo-${flows}.csv`, `key,To\nA1,Ann\n`);
    const batch = await cli.run(['batch', jobs, '--flow', flowId, '--out', join(out, 'batch')]);
    expect(batch.code).toBe(0);
    expect(readdirSync(join(out, 'run'))).toEqual(['Letter for [redacted].pdf']);
    expect(readdirSync(join(out, 'batch', 'A1')).filter((f) => f.endsWith('.pdf'))).toEqual(['Letter for [redacted].pdf']);
    for (const { stdout, stderr } of [run, batch]) expect(stdout + stderr).not.toContain(secret);
  });

  itWithPty('draws the live progress line with [redacted] on a terminal', async () => {
    const secret = cli.env.SMART_FLOWS_API_KEY!;
    const screen = await underPty(['run', echoingFlow(secret), '--skip-user-input'], cli.env);
    expect(screen).toMatch(/\r\x1b\[2K[█░]{24} +10% Running +Stage for \[redacted\]/);
    expect(screen).not.toContain(secret);
  });
});
