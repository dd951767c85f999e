import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Job, Queue, Worker } from 'bullmq';
import { execFileSync } from 'node:child_process';
import { createSimulator, type FlowScript, type Simulator, type SimulatorRequest, type SimulatorResponse, startSimulatorServer, type SimulatorServer } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../../lib/client';
import { flowProcessor } from '../../../lib/bullmq/flowProcessor';
import type { FlowProcessorOptions } from '../../../lib/bullmq/processorOptions';
import type { FlowJobData, FlowJobResult } from '../../../lib/bullmq/flowJobTypes';
import { BULLMQ_MAJOR } from './recipes';
import { startRedis, type RedisServer } from './redisServer';

// The attack on the BullMQ processor (attack/e1, e5, e7), on a real redis-server and a real
// Worker (BullMQ 6, or 5 with BULLMQ=5): hostile answers to starts, and BullMQ's cancel.

const flow: FlowScript = {
  id: 'a77ac000-0000-4000-8000-000000000001',
  displayName: 'Attack',
  stages: [{ message: 'one', percentage: 0, durationMs: 150 }, { message: 'two', percentage: 50, durationMs: 150 }],
  outcome: 'Success',
  documents: [{ displayName: 'L.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4\n%%EOF\n' }],
};

type Intercept = (req: SimulatorRequest, route: string, next: () => Promise<SimulatorResponse>) => Promise<SimulatorResponse | undefined>;
const isStart = (req: SimulatorRequest) => req.method.toUpperCase() === 'POST' && /\/flows\/executions(\/start)?$/.test(new URL(req.url, 'http://x').pathname);
const isCancel = (req: SimulatorRequest) => req.method.toUpperCase() === 'DELETE';

/** A simulator's HTTP server whose answers pass through `intercept` first (undefined = the simulator's own). */
async function hostileServer(intercept: Intercept): Promise<{ server: SimulatorServer; simulator: Simulator; cancels: () => number }> {
  const simulator = createSimulator({ flows: [flow], seed: 3, requestLogLimit: 10 });
  let cancels = 0;
  const wrapped = Object.create(simulator) as Simulator;
  wrapped.handle = async (req) => {
    if (isCancel(req)) cancels++;
    const next = () => simulator.handle(req);
    return (await intercept(req, isStart(req) ? 'start' : 'other', next)) ?? next();
  };
  return { server: await startSimulatorServer({ simulator: wrapped }), simulator, cancels: () => cancels };
}

/** Every key of a queue and what it holds, as text (redis-cli, which comes with redis-server). */
function queueContents(port: number, queueName: string): string {
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'utf8' });
  const read: Record<string, string[]> = { hash: ['HGETALL'], stream: ['XRANGE', '-', '+'], string: ['GET'], list: ['LRANGE', '0', '-1'], zset: ['ZRANGE', '0', '-1', 'WITHSCORES'], set: ['SMEMBERS'] };
  return cli('--scan', '--pattern', `bull:${queueName}:*`).split('\n').filter(Boolean).map((key) => {
    const type = cli('TYPE', key).trim();
    const [command, ...rest] = read[type] ?? ['TYPE'];
    return `${key}\n${cli(command!, key, ...rest)}`;
  }).join('\n');
}

const until = async (done: () => boolean | Promise<boolean>, limitMs: number, what: string) => {
  for (const end = Date.now() + limitMs; !(await done()); ) {
    if (Date.now() > end) throw new Error(`${what}: not after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe(`flowProcessor on BullMQ ${BULLMQ_MAJOR} against hostile answers (real redis-server)`, () => {
  let redis: RedisServer;
  const closers: (() => Promise<unknown>)[] = [];
  let n = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** A queue, one in-process Worker running the processor with `rateLimit: worker.rateLimit`, and its events. */
  async function fleet(intercept: Intercept, options: FlowProcessorOptions, jobs: number, attempts: number) {
    const name = `hostile-${++n}`;
    const connection = { host: '127.0.0.1', port: redis.port };
    const sim = await hostileServer(intercept);
    closers.push(() => sim.server.close());
    const client = new SmartFlowsClient({ baseUrl: sim.server.url, apiKey: sim.server.apiKey, polling: { intervalMs: 100 } });
    const failed: string[] = [];
    const errors: string[] = [];
    // eslint-disable-next-line prefer-const -- the processor's rateLimit needs the worker it is given to
    let worker: Worker<FlowJobData, FlowJobResult>;
    const processor = flowProcessor(client, { tracking: 'listing', rateLimit: (ms) => worker.rateLimit(ms), ...options });
    worker = new Worker<FlowJobData, FlowJobResult>(name, processor, { connection, concurrency: 1, limiter: { max: 100, duration: 1000 } });
    worker.on('failed', (job: Job | undefined, e: Error) => failed.push(`${job?.id}: ${e.name}: ${e.message}`));
    worker.on('error', (e: Error) => errors.push(e.message));
    const queue = new Queue<FlowJobData, FlowJobResult>(name, { connection });
    closers.push(() => queue.close(), () => worker.close());
    await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'j', data: { flowId: flow.id, input: `<L><No>${i}</No></L>`, key: `k${i}` }, opts: { jobId: `k${i}`, attempts } })));
    const ended = () => until(async () => { const c = await queue.getJobCounts('completed', 'failed'); return (c.completed ?? 0) + (c.failed ?? 0) >= jobs; }, 60_000, 'every job ended');
    return { sim, worker, queue, failed, errors, ended };
  }

  it("a 429 with Retry-After 0, then one of 1.0005 s: worker.rateLimit gets whole ms ≥ 1, no job fails (Redis refused 0 and fractions: 'ERR invalid expire time')", async () => {
    let starts = 0;
    const retryAfter = ['0', '1.0005'];
    const { sim, queue, failed, errors, ended } = await fleet(async (_req, route) => {
      const busy = route === 'start' ? retryAfter[starts++] : undefined;
      return busy === undefined ? undefined : { status: 429, headers: { 'content-type': 'application/json', 'retry-after': busy }, body: '{"message":"busy"}' };
    }, {}, 4, 1);
    await ended();
    expect({ failed, errors }).toEqual({ failed: [], errors: [] });
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 4, failed: 0 });
    expect(sim.simulator.stats.executionsStarted).toBe(4);
  });

  it('a 503 a gateway sends after the server made the execution (with and without Retry-After): the job keeps startingAt and adopts it, no attempt used, one execution per job (attack e5, MODE=late-503)', async () => {
    let starts = 0;
    const { sim, queue, failed, ended } = await fleet(async (_req, route, next) => {
      if (route !== 'start') return undefined;
      const nth = ++starts;
      if (nth !== 3 && nth !== 5) return undefined;
      await next();
      return { status: 503, headers: { 'content-type': 'text/plain', ...(nth === 3 ? { 'retry-after': '1' } : {}) }, body: 'upstream timed out' };
    }, { rateLimitMs: 200 }, 6, 2);
    await ended();
    expect(failed).toEqual([]);
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 6, failed: 0 });
    expect(sim.simulator.stats.executionsStarted).toBe(6);
    const results = (await queue.getJobs(['completed'])).map((j) => j.returnvalue?.resumedAs ?? null).sort();
    expect(results.filter((r) => r === 'adopted')).toHaveLength(2);
  });

  it('worker.cancelJob on a live job with attempts left: the job fails for good, and cancelOnAbort cancels its execution (attack e7)', async () => {
    const { sim, worker, queue, failed } = await fleet(async () => undefined, { cancelOnAbort: true }, 0, 1);
    await queue.add('j', { flowId: flow.id, input: '<L>cancel</L>', key: 'c0' }, { jobId: 'c0', attempts: 3 });
    await until(async () => (await queue.getJob('c0'))?.data.executionId !== undefined, 10_000, 'the start answered');
    expect(worker.cancelJob('c0', 'user asked')).toBe(true);
    await until(async () => (await queue.getJobState('c0')) === 'failed', 10_000, 'the job failed');
    const job = await queue.getJob('c0');
    expect(job?.attemptsMade).toBe(1);
    expect(failed).toEqual(['c0: UnrecoverableError: The job was cancelled: user asked']);
    expect(sim.cancels()).toBe(1);
  });

  it('a server echoing the key in its messages and document names: Redis holds no echo of it (progress, data, return value, events stream; attack 3, item 6)', async () => {
    const keyOf = (req: SimulatorRequest) => {
      const h = req.headers;
      const key = h instanceof Headers ? h.get('x-api-key') : h?.['x-api-key'];
      return String(key ?? '');
    };
    const { sim, queue, failed, ended } = await fleet(async (req, _route, next) => {
      const answer = await next();
      if (!answer.headers['content-type']?.includes('json') || typeof answer.body !== 'string') return answer;
      const echoed = JSON.parse(answer.body, (k, v: unknown) => ((k === 'message' || k === 'displayName') && typeof v === 'string' ? `${v} (for ${keyOf(req)})` : v));
      return { ...answer, body: JSON.stringify(echoed) };
    }, { progressIntervalMs: 0 }, 1, 1);
    await ended();
    expect(failed).toEqual([]);
    const job = (await queue.getJob('k0'))!;
    expect(job.progress).toMatchObject({ message: expect.stringMatching(/ \(for \[redacted\]\)$/) });
    expect(job.returnvalue.documents).toEqual([expect.objectContaining({ displayName: 'L.pdf (for [redacted])' })]);
    // Everything Redis holds of the queue (the job's hash, the events stream, …), read with redis-cli.
    const stored = queueContents(redis.port, job.queueName);
    expect(stored).toContain('events');
    expect(stored).toContain('[redacted]');
    expect(stored).not.toContain(sim.server.apiKey);
  });
});
