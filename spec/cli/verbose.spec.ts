import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();

// Issue 27: `--verbose` (and NODE_DEBUG=smart-flows, Node's debuglog) prints one line per
// request on stderr, from the diagnostics channels: route templates, statuses, never the key.
describe('smart-flows … --verbose', () => {
  it('prints one line per request on stderr (route template, status, time), never the key', async () => {
    const result = await cli.run(['run', builtInFlows.short.id, '--skip-user-input', '--verbose']);
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('smart-flows: '));
    expect(lines[0]).toMatch(/^smart-flows: POST \/flows\/executions\/start 200 \d+ ms$/);
    expect(lines.some((l) => /^smart-flows: GET \/flows\/executions\/\{id\}\/progress 200 \d+ ms/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^smart-flows: GET \/flows\/executions\/\{id\} 200 \d+ ms$/);
    expect(result.stderr).not.toContain(cli.env.SMART_FLOWS_API_KEY);
    expect(result.stdout).toMatch(/^Success /);
  });

  it('prints nothing of the kind without it', async () => {
    const result = await cli.run(['run', builtInFlows.short.id, '--skip-user-input']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/^smart-flows: (GET|POST) /m);
  });

  it('prints the same lines with NODE_DEBUG=smart-flows (the library, through util.debuglog)', async () => {
    const result = await cli.run(['run', builtInFlows.short.id, '--skip-user-input'], { env: { ...cli.env, NODE_DEBUG: 'smart-flows' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^SMART-FLOWS \d+: POST \/flows\/executions\/start 200 \d+ ms$/m);
    expect(result.stderr).not.toContain(cli.env.SMART_FLOWS_API_KEY);
  });

  it('prints each line once with both --verbose and NODE_DEBUG=smart-flows (the --verbose lines; outside attack 3)', async () => {
    const result = await cli.run(['run', builtInFlows.short.id, '--skip-user-input', '--verbose'], { env: { ...cli.env, NODE_DEBUG: 'smart-flows' } });
    expect(result.code).toBe(0);
    const verbose = result.stderr.split('\n').filter((l) => /^smart-flows: (GET|POST) /.test(l));
    const debug = result.stderr.split('\n').filter((l) => /^SMART-FLOWS \d+: (GET|POST) /.test(l));
    expect(verbose[0]).toMatch(/^smart-flows: POST \/flows\/executions\/start 200 \d+ ms$/);
    expect(verbose.at(-1)).toMatch(/^smart-flows: GET \/flows\/executions\/\{id\} 200 \d+ ms$/);
    expect(debug).toEqual([]);
  });
});
