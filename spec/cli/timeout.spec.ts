import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { DEFAULT_TIMEOUT_MS, timeoutOption } from '../../lib/cli/args';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);
afterEach(() => cli.events.rewrite(undefined));

describe('timeoutOption', () => {
  it('gives every server command a default of one hour, SMART_FLOWS_TIMEOUT or --timeout instead, and none for 0', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(3_600_000);
    expect(timeoutOption({}, {})).toBe(3_600_000);
    expect(timeoutOption({}, { SMART_FLOWS_TIMEOUT: '90s' })).toBe(90_000);
    expect(timeoutOption({ timeout: '10m' }, { SMART_FLOWS_TIMEOUT: '90s' })).toBe(600_000);
    expect(timeoutOption({ timeout: '0' }, { SMART_FLOWS_TIMEOUT: '90s' })).toBe(0);
    expect(() => timeoutOption({}, { SMART_FLOWS_TIMEOUT: 'soon' })).toThrow("SMART_FLOWS_TIMEOUT must be a duration such as 90s, 10m or 1h, got 'soon'");
  });

  it('never reads a positive duration below 1 ms as 0 ("none"): 0.0001, 0.4ms and 0.0004s are 1 ms', () => {
    for (const timeout of ['0.0001', '0.4ms', '0.0004s']) expect(timeoutOption({ timeout }, {})).toBe(1);
    expect(timeoutOption({ timeout: '0.0' }, {})).toBe(0);
  });
});

describe('a stuck execution', () => {
  it('ends at the default timeout (here SMART_FLOWS_TIMEOUT=1s) while the server reports a status nobody knows, naming the watch command (exit 1)', async () => {
    cli.events.rewrite('progress', (body) => ({ ...body, status: 'Frobnicating', percentage: 10 }));
    const run = cli.start(['run', builtInFlows.short.id, '--input', '-'], { env: { ...cli.env, SMART_FLOWS_TIMEOUT: '1s' }, stdin: '<a/>' });
    try {
      const result = await run.done;
      expect(result.code).toBe(1);
      const id = /Execution ([0-9a-f-]{36}) started/.exec(result.stderr)?.[1];
      expect(result.stderr).toContain(`follow it later with: smart-flows watch ${id}`);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
