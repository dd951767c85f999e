import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { lastValueFrom } from 'rxjs';
import { createSimulator, type FlowScript, type Simulator, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../../lib/client';
import type { FlowJobData, FlowJobResult } from '../../../lib/bullmq/flowJobTypes';
import { consumerBlocks } from '../../../scripts/printed-blocks.mjs';
import { startRedis, type RedisServer } from './redisServer';

// Three worker processes run the README's worker recipe (spec/consumers/bullmq/worker.mjs, on the
// built package) over a queue of 300 jobs the README's producer recipe adds; the simulator's HTTP
// server runs here. One worker is SIGKILLed mid-run, right after the server created an execution
// for it and before the start's answer left; BullMQ hands its jobs to the others once their lock
// expires. At the end: one execution per job, every job completed or failed once, as the server says.

const ROOT = process.cwd();
const RECIPES = path.join(ROOT, 'spec/consumers/bullmq');
const JOBS = 300;
const WORKERS = 3;
const LOCK_MS = 4_000;
const KILL_AFTER_COMPLETED = 60;

const flow = (n: number, outcome: FlowScript['outcome']): FlowScript => ({
  id: `b0110000-0000-4000-8000-00000000000${n}`,
  displayName: `BullMQ test ${outcome}`,
  stages: [
    { message: 'Merge data', percentage: 0, durationMs: 250 },
    { message: 'Render PDF', percentage: 50, durationMs: 250 },
  ],
  outcome,
  ...(outcome === 'Success' ? { documents: [{ displayName: 'Letter.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4\n%%EOF\n' }] } : {}),
});
const FLOWS = [flow(1, 'Success'), flow(2, 'Success'), flow(3, 'Error')];
const letters = Array.from({ length: JOBS }, (_, i) => ({ id: `letter-${i}`, flowId: FLOWS[i % FLOWS.length]!.id, xml: `<Letter><No>${i}</No></Letter>` }));

/** The printed blocks marked `<!-- consumer: … -->` naming a file, in README.md or docs/*.md (scripts/printed-blocks.mjs). */
const printedBlocks = (file: string) => consumerBlocks(ROOT).filter((b) => b.files.includes(file)).map((b) => b.block);

const until = async (done: () => boolean | Promise<boolean>, limitMs: number, what: string) => {
  for (const end = Date.now() + limitMs; !(await done()); ) {
    if (Date.now() > end) throw new Error(`${what}: not after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('flowProcessor on BullMQ with a real redis-server', () => {
  let redis: RedisServer;
  const servers: SimulatorServer[] = [];
  const workers: ChildProcess[] = [];
  let queue: Queue<FlowJobData, FlowJobResult> | undefined;
  let events: QueueEvents | undefined;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await events?.close();
    await queue?.close();
    for (const s of servers) await s.close();
    await redis?.stop();
  });

  it('runs 300 jobs on 3 workers, one SIGKILLed between a start and its answer: one execution per job, each job ended once with its true outcome', async () => {
    const t0 = Date.now();
    // The recipes the workers run are the printed ones (docs/bullmq.md), byte for byte.
    for (const file of ['bullmq/worker.mjs', 'bullmq/producer.mjs']) {
      const printed = printedBlocks(file);
      expect(printed.length).toBeGreaterThan(0);
      for (const block of printed) expect(block).toBe(readFileSync(path.join(ROOT, 'spec/consumers', file), 'utf8'));
    }

    const simulator = createSimulator({ flows: FLOWS, seed: 12, requestLogLimit: 10 });
    // The victim's server: once armed, the next start it receives is created, then the victim is
    // killed before the answer goes out (the start's answer is lost; the execution exists).
    let victim: ChildProcess | undefined = undefined; // the first worker, once spawned
    let armed = false;
    let killsBetweenStartAndAnswer = 0;
    const wrapped: Simulator = Object.create(simulator) as Simulator;
    wrapped.handle = async (request) => {
      const answer = await simulator.handle(request);
      const isStart = request.method.toUpperCase() === 'POST' && /\/flows\/executions(\/start)?(\?|$)/.test(request.url) && answer.status === 200;
      if (armed && isStart && victim && victim.exitCode === null && victim.signalCode === null) {
        armed = false;
        killsBetweenStartAndAnswer++;
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
      }
      return answer;
    };
    for (let i = 0; i < WORKERS; i++) servers.push(await startSimulatorServer({ simulator: i === 0 ? wrapped : simulator }));

    const connection = { host: '127.0.0.1', port: redis.port };
    queue = new Queue<FlowJobData, FlowJobResult>('documents', { connection });
    events = new QueueEvents('documents', { connection });
    await events.waitUntilReady();
    const completions = new Map<string, number>();
    const failures = new Map<string, number>();
    const stalled = new Set<string>();
    events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
    events.on('failed', ({ jobId }) => failures.set(jobId, (failures.get(jobId) ?? 0) + 1));
    events.on('stalled', ({ jobId }) => stalled.add(jobId));

    // The producer recipe adds the jobs; then the workers start.
    const env = { ...process.env, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), SMART_FLOWS_API_KEY: simulator.apiKey, LOCK_MS: String(LOCK_MS) };
    const lettersFile = path.join(mkdtempSync(path.join(tmpdir(), 'sfrx-bullmq-')), 'letters.json');
    writeFileSync(lettersFile, JSON.stringify(letters));
    const producer = spawn(process.execPath, [path.join(RECIPES, 'producer.mjs'), lettersFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let producerErr = '';
    producer.stderr!.on('data', (c: Buffer) => (producerErr += c.toString()));
    const [producerCode] = await once(producer, 'exit');
    expect({ producerCode, producerErr }).toEqual({ producerCode: 0, producerErr: '' });
    expect(await queue.getJobCountByTypes('wait', 'active', 'delayed', 'prioritized')).toBe(JOBS);

    const stderr: string[] = [];
    const unexpectedExits: string[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const worker = spawn(process.execPath, [path.join(RECIPES, 'worker.mjs')], { env: { ...env, SMART_FLOWS_URL: servers[i]!.url }, stdio: ['ignore', 'ignore', 'pipe'] });
      stderr[i] = '';
      worker.stderr!.on('data', (c: Buffer) => (stderr[i] += c.toString()));
      worker.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL' && signal !== 'SIGTERM') unexpectedExits.push(`worker ${i} exited with ${String(code ?? signal)}: ${stderr[i]!.slice(-2000)}`);
      });
      workers.push(worker);
    }
    victim = workers[0];

    const ended = async () => {
      if (unexpectedExits.length > 0) throw new Error(unexpectedExits.join('\n'));
      const counts = await queue!.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0) >= JOBS;
    };
    await until(async () => (await ended()) || (await queue!.getCompletedCount()) >= KILL_AFTER_COMPLETED, 120_000, 'first completions');
    armed = true;
    await until(() => killsBetweenStartAndAnswer === 1, 30_000, 'the kill between a start and its answer');
    const killedAtCompleted = await queue.getCompletedCount();
    await until(ended, 180_000, 'every job ended');
    // Give late events (a second completion would be a bug) a moment to arrive.
    await new Promise((r) => setTimeout(r, 500));

    // The server's truth: every execution, traced to its letter by the input it received.
    const client = new SmartFlowsClient({ baseUrl: servers[1]!.url, apiKey: simulator.apiKey, fetch: globalThis.fetch });
    const listed = (await lastValueFrom(client.listExecutions({ size: 1000 }))).items;
    const byKey = new Map<string, { id: string; status: string }[]>();
    for (const e of listed) {
      const full = await lastValueFrom(client.getExecution(e.id));
      const xml = (full.state?.inputData as { xml?: string } | undefined)?.xml ?? '';
      const key = `letter-${/<No>(\d+)<\/No>/.exec(xml)?.[1] ?? '?'}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { id: full.id, status: full.status }]);
    }

    const jobs = (await queue.getJobs(['completed', 'failed'], 0, -1)) as Job<FlowJobData, FlowJobResult>[];
    const resumed = { watched: 0, adopted: 0, restarted: 0 };
    let outcomeMismatches = 0;
    let uncertain = 0;
    for (const job of jobs) {
      const truth = byKey.get(job.id!);
      const state = await job.getState();
      if (state === 'completed' && job.returnvalue.resumedAs) resumed[job.returnvalue.resumedAs]++;
      // A failed job's adoption shows only in its data (it has no return value).
      else if (state === 'failed' && job.data.adopted) resumed.adopted++;
      if (/cannot tell whether its earlier start reached the server/.test(job.failedReason ?? '')) uncertain++;
      const same =
        truth?.length === 1 &&
        job.data.executionId === truth[0]!.id &&
        (state === 'completed'
          ? job.returnvalue.executionId === truth[0]!.id && job.returnvalue.status === truth[0]!.status && truth[0]!.status === 'Success'
          : state === 'failed' && truth[0]!.status === 'Error' && (job.failedReason ?? '').includes(truth[0]!.id));
      if (!same) outcomeMismatches++;
    }
    const summary = {
      jobs: JOBS,
      workers: WORKERS,
      kills: 1,
      killsBetweenStartAndAnswer,
      killedAtCompleted,
      executions: listed.length,
      duplicates: [...byKey.values()].reduce((n, list) => n + list.length - 1, 0),
      missing: letters.filter((l) => !byKey.has(l.id)).length,
      completed: jobs.filter((j) => j.returnvalue !== null && j.returnvalue !== undefined).length,
      failed: jobs.filter((j) => j.failedReason !== undefined && j.failedReason !== null).length,
      endedTwice: [...completions.values(), ...failures.values()].filter((n) => n > 1).length + [...completions.keys()].filter((k) => failures.has(k)).length,
      outcomeMismatches,
      stalledJobsReprocessed: jobs.filter((j) => j.stalledCounter > 0).length,
      stalledEvents: stalled.size,
      resumed,
      uncertain,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
    process.stdout.write(`bullmq redis test: ${JSON.stringify(summary)}\n`);

    expect(summary).toMatchObject({ executions: JOBS, duplicates: 0, missing: 0, endedTwice: 0, outcomeMismatches: 0, uncertain: 0, killsBetweenStartAndAnswer: 1 });
    expect(summary.completed + summary.failed).toBe(JOBS);
    expect(summary.failed).toBe(JOBS / 3); // the Error flow's jobs, each failed once (not retried)
    expect(completions.size + failures.size).toBe(JOBS);
    // The killed worker held jobs: BullMQ handed them on, and the lost answer's execution was adopted.
    expect(summary.stalledJobsReprocessed).toBeGreaterThan(0);
    expect(resumed.adopted).toBeGreaterThanOrEqual(1);
  });
});
