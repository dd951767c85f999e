import { describe, expect, it, jest } from '@jest/globals';
import { jsonLines } from '../support/cli';
import { executions, slowFlow } from '../support/server';
import { useCliFixture } from '../support/fixture';
import { hostileProxy } from '../support/proxy';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);

/** The server's running executions of the slow flow. */
const running = async () => (await executions(cli.server)).filter((e) => e.status === 'Running' && e.flow?.id === slowFlow.id);

describe('smart-flows batch on Ctrl-C', () => {
  it('right after the starts, names every execution that runs (or the start whose answer it did not see), never "0 running"', async () => {
    const before = new Set((await running()).map((e) => e.id));
    const jobs = cli.file('soon.csv', 'key,To\nS1,Ann\nS2,Bob\nS3,Cid\n');
    const batch = cli.start(['batch', jobs, '--flow', slowFlow.id, '--concurrency', '3']);
    // Interrupted as soon as the server has answered the three starts: no snapshot interval waited for.
    await cli.events.until((s) => (s.stats.startsByFlow[slowFlow.id] ?? 0) >= 3 + before.size);
    batch.child.kill('SIGINT');
    const result = await batch.done;
    expect(result.code).toBe(130);
    expect(result.stderr).not.toMatch(/Interrupted: 0 running jobs/);
    const mine = (await running()).filter((e) => !before.has(e.id));
    expect(mine).toHaveLength(3);
    // Each execution is named by its id, or its job by the start whose answer never came.
    const named = mine.filter((e) => result.stderr.includes(e.id)).length;
    const unanswered = (result.stderr.match(/start sent, no answer seen/g) ?? []).length;
    expect(named + unanswered).toBe(3);
    await Promise.all(mine.map((e) => cli.run(['cancel', e.id])));
  });

  it('with --cancel-on-exit says which cancels the server refused (403), instead of "canceled"', async () => {
    const jobs = cli.file('refused.csv', 'key,To\nC1,Ann\nC2,Bob\n');
    const batch = cli.start(['batch', jobs, '--flow', slowFlow.id, '--cancel-on-exit', '--json']);
    await batch.waitFor(/"state":"running"[^\n]*\n[^\n]*"state":"running"/, 'stdout');
    cli.events.refuse('cancel', 403);
    try {
      batch.child.kill('SIGINT');
      const result = await batch.done;
      expect(result.code).toBe(130);
      const interrupted = jsonLines(result.stdout).at(-1)!;
      expect(interrupted).toMatchObject({ type: 'interrupted', canceled: false });
      expect(interrupted.running).toEqual([
        expect.objectContaining({ key: 'C1', canceled: false, cancel: expect.stringMatching(/403/) }),
        expect.objectContaining({ key: 'C2', canceled: false, cancel: expect.stringMatching(/403/) }),
      ]);
      expect(result.stderr).not.toMatch(/was canceled|running jobs? canceled/);
      expect(result.stderr).toMatch(/C1 +[0-9a-f-]{36} +not canceled: .*403/);
    } finally {
      cli.events.refuse(undefined);
    }
    const ids = (jsonLines((await batch.done).stdout).at(-1)!.running as { executionId: string }[]).map((r) => r.executionId);
    await Promise.all(ids.map((id) => cli.run(['cancel', id])));
  });
});

describe('smart-flows batch on a second Ctrl-C', () => {
  it('exits at once and still names every execution left running (the cancels hang)', async () => {
    // A server whose cancels never answer: the first Ctrl-C waits for them, the second does not.
    let cancelAsked: () => void = () => undefined;
    const cancelSent = new Promise<void>((resolve) => (cancelAsked = resolve));
    const proxy = await hostileProxy(cli.server.url, (req) => {
      if (req.method !== 'DELETE') return false;
      cancelAsked();
      return true;
    });
    try {
      const jobs = cli.file('twice.csv', 'key,To\nT1,Ann\nT2,Bob\n');
      const batch = cli.start(['batch', jobs, '--flow', slowFlow.id, '--cancel-on-exit', '--json'], { env: { ...cli.env, SMART_FLOWS_URL: proxy.url } });
      await batch.waitFor(/"state":"running"[^\n]*\n[^\n]*"state":"running"/, 'stdout');
      batch.child.kill('SIGINT');
      await cancelSent;
      batch.child.kill('SIGINT');
      const result = await batch.done;
      const ids = jsonLines(result.stdout).filter((line) => line.state === 'running').map((line) => line.executionId as string);
      await Promise.all(ids.map((id) => cli.run(['cancel', id])));
      expect(result.code).toBe(130);
      expect(ids).toHaveLength(2);
      for (const [i, id] of ids.entries()) expect(result.stderr).toMatch(new RegExp(`^ {2}T${i + 1} {2}${id}`, 'm'));
    } finally {
      await proxy.close();
    }
  });
});

describe('smart-flows run on Ctrl-C', () => {
  it('with --cancel-on-exit says the server refused the cancel (403) instead of "was canceled"', async () => {
    const run = cli.start(['run', slowFlow.id, '--input', '-', '--cancel-on-exit', '--json'], { stdin: '<a/>' });
    await run.waitFor(/"type":"progress"/, 'stdout');
    cli.events.refuse('cancel', 403);
    try {
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ type: 'interrupted', canceled: false, cancel: 'the server refused it (HTTP 403)' });
      expect(result.stderr).not.toContain('was canceled');
      const id = jsonLines(result.stdout).at(-1)!.executionId as string;
      await cli.run(['cancel', id]);
    } finally {
      cli.events.refuse(undefined);
    }
  });

  /** Runs the slow flow with the start's answer held `heldMs` (half of it sent), and sends Ctrl-C once the server created the execution. */
  async function interruptedDuringStart(heldMs: number) {
    const before = new Set((await running()).map((e) => e.id));
    const starts = cli.server.simulator.stats.startsByFlow[slowFlow.id] ?? 0;
    cli.server.simulator.setFaults({ slowBodyMs: heldMs, routes: ['start'] });
    try {
      const run = cli.start(['run', slowFlow.id, '--input', '-', '--json'], { stdin: '<a/>' });
      // The execution exists on the server; half of the start's answer is on its way, the rest held.
      await cli.events.until((s) => (s.stats.startsByFlow[slowFlow.id] ?? 0) > starts);
      const created = async () => (await running()).filter((e) => !before.has(e.id));
      run.child.kill('SIGINT');
      const result = await run.done;
      const mine = await created();
      await Promise.all(mine.map((e) => cli.run(['cancel', e.id])));
      return { result, ids: mine.map((e) => e.id) };
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
  }

  it('while the start is sent and its answer comes late (1.5 s): waits for it, and names the execution that goes on', async () => {
    const { result, ids } = await interruptedDuringStart(1_500);
    expect(ids).toHaveLength(1);
    expect({ code: result.code, last: jsonLines(result.stdout).at(-1) }).toEqual({ code: 130, last: expect.objectContaining({ type: 'interrupted', executionId: ids[0] }) });
    expect(result.stderr).toContain(`smart-flows watch ${ids[0]}`);
  });

  it('while the start is sent and its answer never comes: says an execution may exist and where to look for it', async () => {
    const { result, ids } = await interruptedDuringStart(600_000);
    expect(ids).toHaveLength(1);
    expect({ code: result.code, last: jsonLines(result.stdout).at(-1) }).toEqual({ code: 130, last: { type: 'interrupted', executionMayExist: true } });
    expect(result.stderr).toContain(`smart-flows list --flow ${slowFlow.id}`);
  });
});
