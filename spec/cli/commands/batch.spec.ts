import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { executions, slowFlow } from '../support/server';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture();

describe('smart-flows batch', () => {
  it('runs one job per CSV row, columns as input fields, documents into --out/<key>/, exit 0', async () => {
    const jobs = cli.file('letters.csv', 'key,Customer,Amount\nA1,ACME,3\nA2,"Smith, J",4\nA3,"Say ""hi""",5\n');
    const out = join(cli.dir, 'letters');
    const started = cli.server.simulator.stats.executionsStarted;
    const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--concurrency', '2', '--out', out]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^Success +A\d {2}[0-9a-f-]{36} {2}Flow finished$/.test(l))).toHaveLength(3);
    expect(lines.filter((l) => /^ {2}wrote .*Letter\.pdf/.test(l))).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual(['A1', 'A2', 'A3']);
    expect(result.stderr).toMatch(/3 jobs in [\d.]+ s: 3 succeeded, 0 failed/);
    expect(cli.server.simulator.stats.executionsStarted - started).toBe(3);
  });

  it('reads JSON lines from stdin with their own flows, reports each job as a JSON line, exit 1 when one failed', async () => {
    const jsonl = [
      { key: 'ok', input: '<Letter/>' },
      { key: 'bad', flowId: builtInFlows.error.id, input: '<Letter/>' },
      { key: 'obj', input: { Letter: { To: 'Ann' } } },
    ].map((j) => JSON.stringify(j)).join('\n');
    const result = await cli.run(['batch', '-', '--flow', builtInFlows.short.id, '--json'], { stdin: `${jsonl}\n` });
    expect(result.code).toBe(1);
    const lines = jsonLines(result.stdout);
    const ended = lines.filter((l) => l.type === 'job' && l.state !== 'running');
    expect(Object.fromEntries(ended.map((l) => [l.key, l.status]))).toEqual({ ok: 'Success', bad: 'Error', obj: 'Success' });
    expect(ended.find((l) => l.key === 'bad')).toMatchObject({ state: 'failed', error: 'FlowExecutionError', message: 'Template field "customer.name" not found' });
    expect(lines.filter((l) => l.type === 'job' && l.state === 'running').map((l) => l.key).sort()).toEqual(['bad', 'obj', 'ok']);
    expect(lines.at(-1)).toEqual({ type: 'summary', total: 3, succeeded: 2, failed: 1, running: 0, queued: 0 });
  });

  it('stops at the first failure with --fail-fast and starts nothing more, exit 1', async () => {
    const jobs = cli.file('fast.jsonl', [
      { key: 'e', flowId: builtInFlows.error.id, input: '<a/>' },
      ...['s1', 's2', 's3', 's4'].map((key) => ({ key, flowId: slowFlow.id, input: '<a/>' })),
    ].map((j) => JSON.stringify(j)).join('\n'));
    const started = cli.server.simulator.stats.executionsStarted;
    const result = await cli.run(['batch', jobs, '--concurrency', '2', '--fail-fast', '--cancel-on-exit']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Error +e {2}[0-9a-f-]{36} {2}Template field/m);
    expect(result.stderr).toContain('Stopped at the first failure (--fail-fast): job e');
    expect(cli.server.simulator.stats.executionsStarted - started).toBe(2);
    // --cancel-on-exit: the slow job that was running was canceled, not left behind.
    expect((await executions(cli.server)).filter((e) => e.status === 'Running')).toEqual([]);
  });

  it('on Ctrl-C stops, cancels what it started with --cancel-on-exit, reports it, exit 130', async () => {
    const jobs = cli.file('slow.csv', `key,To\n${['s1', 's2', 's3', 's4', 's5'].map((k) => `${k},Ann`).join('\n')}\n`);
    const started = cli.server.simulator.stats.executionsStarted;
    const batch = cli.start(['batch', jobs, '--flow', slowFlow.id, '--concurrency', '2', '--cancel-on-exit', '--json']);
    await batch.waitFor(/"state":"running"[^\n]*\n[^\n]*"state":"running"/, 'stdout');
    batch.child.kill('SIGINT');
    const result = await batch.done;
    expect(result.code).toBe(130);
    const interrupted = jsonLines(result.stdout).at(-1)!;
    expect(interrupted).toMatchObject({ type: 'interrupted', canceled: true });
    expect(interrupted.running).toHaveLength(2);
    expect(cli.server.simulator.stats.executionsStarted - started).toBe(2);
    const mine = (await executions(cli.server)).filter((e) => (interrupted.running as { executionId: string }[]).some((r) => r.executionId === e.id));
    expect(mine.map((e) => e.status)).toEqual(['Canceled', 'Canceled']);
    expect((await executions(cli.server)).filter((e) => e.status === 'Running')).toEqual([]);
  });

  it('on Ctrl-C without --cancel-on-exit leaves the executions running and names them; a second Ctrl-C exits at once', async () => {
    const jobs = cli.file('slow2.csv', 'key,To\nt1,Ann\nt2,Bob\n');
    const batch = cli.start(['batch', jobs, '--flow', slowFlow.id, '--json']);
    // Interrupt once the command itself reports both started (its snapshots come at most every 100 ms).
    await batch.waitFor(/"state":"running"[^\n]*\n[^\n]*"state":"running"/, 'stdout');
    batch.child.kill('SIGINT');
    const result = await batch.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/Interrupted: 2 running jobs going on on the server/);
    const running = (await executions(cli.server)).filter((e) => e.status === 'Running');
    expect(running).toHaveLength(2);
    for (const e of running) expect(result.stderr).toContain(e.id);

    // Cancel calls that hang: the first Ctrl-C waits for them (up to 5 s), the second does not.
    cli.server.simulator.setFaults({ latencyMs: 20_000, routes: ['cancel'] });
    try {
      const again = cli.start(['batch', cli.file('slow3.csv', 'key,To\nu1,Ann\n'), '--flow', slowFlow.id, '--cancel-on-exit', '--json']);
      await again.waitFor(/"state":"running"/, 'stdout');
      const { executionId } = jsonLines(again.output().stdout)[0] as { executionId: string };
      again.child.kill('SIGINT');
      // The first Ctrl-C is being handled once its cancel call is held by the server.
      await cli.events.until((s) => s.requests.some((r) => r.route === 'cancel' && r.path.includes(executionId)));
      again.child.kill('SIGINT');
      const second = await again.done;
      expect(second.code).toBe(130);
      // It did not wait out the first one's 5 s for the cancel: that one would have reported the stop.
      expect(second.stdout).not.toContain('"type":"interrupted"');
      expect(second.stderr).not.toContain('Interrupted:');
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
  });
});
