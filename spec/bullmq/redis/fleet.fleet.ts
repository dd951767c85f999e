import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Job, Queue } from 'bullmq';
import { lastValueFrom } from 'rxjs';
import { createSimulator, type FlowScript, type Simulator, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../../lib/client';
import type { FlowJobData, FlowJobResult } from '../../../lib/bullmq/flowJobTypes';
import { consumerBlocks } from '../../../scripts/printed-blocks.mjs';
import { BULLMQ_MAJOR, bullmqVersion, RECIPES, recipeArgs } from './recipes';
import { startRedis, type RedisServer } from './redisServer';

// `npm run test:fleet` (issue 29, item 4): a fleet of worker processes on a real redis-server, each
// running the docs' worker recipe (tracking 'listing', the fleet rate limit) on the built package,
// 4 × concurrency 250 = 1,000 live executions of ~60 s flows, 5,000 jobs the producer recipe adds.
// Mid-run, 3 workers are SIGKILLed (each replaced at once) and the simulator answers every start
// 429 for a while (Retry-After: the seconds left). Then, for comparison in the same run, 1,000 more
// jobs on workers that poll per execution (pollingWorker.mjs). The simulator's HTTP server runs
// here; a sampler reads its counters every second.
// Asserted: no job started twice, none lost, every outcome the simulator's, the trackers' listing
// requests per cycle ≤ 4 × 1.1 while ~1,000 executions are live (reconciliation's listing of a
// flow, after the kills, counted apart), the queue rate-limited in Redis mid-burst and no start
// reaching the server from 3 s after the burst's first 429 to its end. The figures are printed (and written to FLEET_JSON for bench part "fleet").
// FLEET_JOBS, FLEET_WORKERS, FLEET_CONCURRENCY, FLEET_FLOW_MS, FLEET_COMPARE_JOBS scale it down
// for trying things; CI runs the defaults.

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const JOBS = env('FLEET_JOBS', 5_000);
const WORKERS = env('FLEET_WORKERS', 4);
const CONCURRENCY = env('FLEET_CONCURRENCY', 250);
const FLOW_MS = env('FLEET_FLOW_MS', 60_000);
const COMPARE_JOBS = env('FLEET_COMPARE_JOBS', 1_000);
const LIVE = WORKERS * CONCURRENCY;
const LOCK_MS = 10_000;
/** The kills, at these shares of the jobs ended; the 429 burst at its own. */
const KILL_AT = [0.16, 0.38, 0.6];
const BURST_AT = 0.48;
const BURST_MS = 15_000;
/** "While 1,000 executions are live": the seconds the server had at least this share of them running. */
const LIVE_SHARE = 0.9;
/** After the first 429 of the burst, the fleet has paused within this long (no start reaches the server). */
const PAUSE_WITHIN_MS = 3_000;

/** Four flows of about FLOW_MS, three stages each (the listing shows each stage change): Success, Warning, Error. */
const flow = (n: number, outcome: FlowScript['outcome'], scale: number): FlowScript => ({
  id: `f1ee7000-0000-4000-8000-00000000000${n}`,
  displayName: `Fleet ${outcome} ${n}`,
  stages: [
    { message: 'Merge data', percentage: 0, durationMs: Math.round((FLOW_MS * scale) / 3) },
    { message: 'Render PDF', percentage: 33, durationMs: Math.round((FLOW_MS * scale) / 3) },
    { message: 'Sign', percentage: 66, durationMs: Math.round((FLOW_MS * scale) / 3) },
  ],
  outcome,
});
const FLOWS = [flow(1, 'Success', 0.92), flow(2, 'Success', 1), flow(3, 'Warning', 1.08), flow(4, 'Error', 1)];
const lettersOf = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, flowId: FLOWS[i % FLOWS.length]!.id, xml: `<Letter><No>${prefix}-${i}</No></Letter>` }));

interface Sample {
  at: number;
  ms: number;
  phase: 'listing' | 'polling';
  /** The trackers' cycle requests (POST /flows/executions/filter, GET /flows/executions). */
  list: number;
  /** Reconciliation's listing of one flow (GET /flows/{flowId}/executions), after the kills. */
  flowList: number;
  progress: number;
  execution: number;
  start: number;
  live: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (done: () => boolean | Promise<boolean>, limitMs: number, what: string) => {
  for (const end = Date.now() + limitMs; !(await done()); ) {
    if (Date.now() > end) throw new Error(`${what}: not after ${limitMs} ms`);
    await sleep(250);
  }
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

describe(`a fleet of BullMQ ${BULLMQ_MAJOR} workers on a real redis-server`, () => {
  let redis: RedisServer;
  let server: SimulatorServer | undefined;
  const workers: ChildProcess[] = [];
  let queue: Queue<FlowJobData, FlowJobResult> | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await queue?.close();
    await server?.close();
    await redis?.stop();
  });

  it(`runs ${JOBS} jobs of ~${FLOW_MS / 1000} s on ${WORKERS} workers × ${CONCURRENCY}: 3 SIGKILLs and a 429 burst, no job started twice or lost, one listing request per worker per cycle`, async () => {
    const t0 = Date.now();
    // The workers and the producer run the recipes docs/bullmq.md prints, byte for byte.
    for (const file of ['worker.mjs', 'producer.mjs']) {
      const printed = consumerBlocks(process.cwd()).filter((b) => b.files.includes(`bullmq/${file}`));
      expect(printed.length).toBeGreaterThan(0);
      for (const { block } of printed) expect(block).toBe(readFileSync(path.join(RECIPES, file), 'utf8'));
    }
    const simulator = createSimulator({ flows: FLOWS, seed: 29, requestLogLimit: 10 });
    // Every start that reached the server: when, whose letter, and the execution it created.
    const starts: { at: number; key: string; status: number; id?: string }[] = [];
    // Listing requests by who sends them: the trackers' cycles, or reconciliation (one flow's executions).
    const listed = { cycle: 0, flow: 0 };
    const wrapped: Simulator = Object.create(simulator) as Simulator;
    wrapped.handle = async (request) => {
      const method = request.method.toUpperCase();
      const { pathname } = new URL(request.url, 'http://fleet.invalid');
      if ((method === 'POST' && pathname.endsWith('/flows/executions/filter')) || (method === 'GET' && pathname.endsWith('/api/v1/flows/executions'))) listed.cycle++;
      else if (method === 'GET' && /\/flows\/[^/]+\/executions$/.test(pathname)) listed.flow++;
      const answer = await simulator.handle(request);
      if (request.method.toUpperCase() === 'POST' && /\/flows\/executions(\?|$)/.test(request.url)) {
        const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body ?? new Uint8Array());
        const key = /<No>([^<]+)<\/No>/.exec(body)?.[1] ?? '?';
        const id = answer.status === 200 && typeof answer.body === 'string' ? (JSON.parse(answer.body) as { id: string }).id : undefined;
        starts.push({ at: Date.now(), key, status: answer.status, ...(id ? { id } : {}) });
      }
      return answer;
    };
    server = await startSimulatorServer({ simulator: wrapped });

    // The simulator's counters, every second.
    const samples: Sample[] = [];
    let phase: Sample['phase'] = 'listing';
    let previous = { at: Date.now(), ...simulator.stats.byRoute, ...listed };
    sampler = setInterval(() => {
      const stats = simulator.stats;
      const now = Date.now();
      const { progress, execution, start } = stats.byRoute;
      samples.push({
        at: now, ms: now - previous.at, phase, list: listed.cycle - previous.cycle, flowList: listed.flow - previous.flow, progress: progress - previous.progress,
        execution: execution - previous.execution, start: start - previous.start, live: stats.concurrentExecutions,
      });
      previous = { at: now, ...stats.byRoute, ...listed };
    }, 1000);

    const connection = { host: '127.0.0.1', port: redis.port };
    queue = new Queue<FlowJobData, FlowJobResult>('documents', { connection, skipMetasUpdate: true });
    const base = { ...process.env, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), SMART_FLOWS_API_KEY: simulator.apiKey, SMART_FLOWS_URL: server.url, LOCK_MS: String(LOCK_MS) };
    const dir = mkdtempSync(path.join(tmpdir(), 'sfrx-fleet-'));
    const produce = async (letters: ReturnType<typeof lettersOf>, name: string) => {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(letters));
      const producer = spawn(process.execPath, [...recipeArgs('producer.mjs'), file], { env: { ...base, MAX_EXECUTIONS: String(LIVE) }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      producer.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const [code] = await once(producer, 'exit');
      expect({ code, err }).toEqual({ code: 0, err: '' });
    };
    const unexpectedExits: string[] = [];
    const spawnWorker = (slot: number, script: string[]) => {
      const worker = spawn(process.execPath, script, { env: { ...base, CONCURRENCY: String(CONCURRENCY) }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      // The recipe prints each failed job (the Error flow's): keep only the end, for a crash report.
      worker.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
      worker.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0) unexpectedExits.push(`worker ${slot} exited with ${String(code ?? signal)}: ${err}`);
      });
      workers[slot] = worker;
      return worker;
    };
    const ended = async () => {
      if (unexpectedExits.length > 0) throw new Error(unexpectedExits.join('\n'));
      const counts = await queue!.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0);
    };

    // Phase 1: the recipe's workers (tracking 'listing').
    const letters = lettersOf('letter', JOBS);
    await produce(letters, 'letters');
    for (let i = 0; i < WORKERS; i++) spawnWorker(i, recipeArgs('worker.mjs'));

    const kills: { at: number; endedJobs: number; slot: number }[] = [];
    let burst: { from: number; to: number; endedJobs: number } | undefined;
    let rateLimitTtlMidBurst = NaN;
    const events = [...KILL_AT.map((share, i) => ({ share, kill: i % WORKERS })), { share: BURST_AT, kill: -1 }].sort((a, b) => a.share - b.share);
    for (const event of events) {
      await until(async () => (await ended()) >= Math.round(event.share * JOBS), 60 * 60_000, `${Math.round(event.share * 100)} % of the jobs ended`);
      const endedJobs = await ended();
      if (event.kill >= 0) {
        // SIGKILL mid-run, and a new worker in its place at once (its jobs wait for their locks to expire).
        const victim = workers[event.kill]!;
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
        kills.push({ at: Date.now(), endedJobs, slot: event.kill });
        spawnWorker(event.kill, recipeArgs('worker.mjs'));
      } else {
        // Every start answered 429 for BURST_MS, Retry-After the seconds left.
        const from = Date.now();
        const to = from + BURST_MS;
        simulator.setFaults({ rate429: 1, routes: ['start'], retryAfterSeconds: () => Math.max(1, Math.ceil((to - Date.now()) / 1000)) });
        // Halfway, the queue's rate limit in Redis (what every worker reads before taking a job).
        await sleep(BURST_MS / 2);
        rateLimitTtlMidBurst = await queue.getRateLimitTtl();
        await sleep(to - Date.now());
        simulator.setFaults(undefined);
        burst = { from, to, endedJobs };
      }
    }
    await until(async () => (await ended()) >= JOBS, 60 * 60_000, 'every job ended');
    const listingEnd = Date.now();
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? once(w, 'exit') : undefined)));

    // Phase 2, for comparison: per-execution polling, the same flows, LIVE executions at once.
    phase = 'polling';
    const compareFrom = Date.now();
    const compared = lettersOf('poll', COMPARE_JOBS);
    await produce(compared, 'compared');
    for (let i = 0; i < WORKERS; i++) spawnWorker(i, recipeArgs('../../bullmq/redis/pollingWorker.mjs'));
    await until(async () => (await ended()) >= JOBS + COMPARE_JOBS, 30 * 60_000, 'every comparison job ended');
    const compareEnd = Date.now();
    clearInterval(sampler);
    sampler = undefined;
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');

    // The server's truth: each letter's executions (from the starts it answered 200), their statuses (the listing).
    const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: simulator.apiKey, fetch: globalThis.fetch });
    const statusOf = new Map<string, string>();
    for (let page = 0; statusOf.size < simulator.stats.executionsStarted && page < 100; page++) {
      for (const e of (await lastValueFrom(client.listExecutions({ size: 1000, page }))).items) statusOf.set(e.id, e.status);
    }
    const executionsOf = new Map<string, string[]>();
    for (const s of starts) if (s.id) executionsOf.set(s.key, [...(executionsOf.get(s.key) ?? []), s.id]);

    const jobs = (await queue.getJobs(['completed', 'failed'], 0, -1)) as Job<FlowJobData, FlowJobResult>[];
    const endedIds = new Set(jobs.map((j) => j.id));
    const mismatches: string[] = [];
    const resumed = { watched: 0, adopted: 0, restarted: 0 };
    for (const job of jobs) {
      const ids = executionsOf.get(job.id!) ?? [];
      const status = ids.length === 1 ? statusOf.get(ids[0]!) : undefined;
      const completed = job.returnvalue !== null && job.returnvalue !== undefined;
      if (completed && job.returnvalue.resumedAs) resumed[job.returnvalue.resumedAs]++;
      const same =
        ids.length === 1 &&
        job.data.executionId === ids[0] &&
        (completed
          ? job.returnvalue.executionId === ids[0] && job.returnvalue.status === status && (status === 'Success' || status === 'Warning')
          : status === 'Error' && (job.failedReason ?? '').includes(ids[0]!));
      if (!same) mismatches.push(`${job.id}: ${JSON.stringify({ ids, status, returnvalue: job.returnvalue, failedReason: job.failedReason })}`);
    }

    // Requests per second (= per tracker cycle, 1 s) while about LIVE executions ran.
    const perSecond = (phaseName: Sample['phase'], route: 'list' | 'flowList' | 'progress') => {
      const window = samples.filter((s) => s.phase === phaseName && s.live >= LIVE_SHARE * LIVE && s.ms > 0);
      const ms = window.reduce((n, s) => n + s.ms, 0);
      const total = window.reduce((n, s) => n + s[route], 0);
      const rates = window.map((s) => (s[route] * 1000) / s.ms).sort((a, b) => a - b);
      return { seconds: round(ms / 1000, 0), perCycle: ms > 0 ? round((total * 1000) / ms) : NaN, p95: round(rates[Math.floor(rates.length * 0.95)] ?? NaN), max: round(rates.at(-1) ?? NaN), live: round(window.reduce((n, s) => n + s.live, 0) / Math.max(1, window.length), 0) };
    };
    // Starts that reached the server during the burst once the fleet had heard of it: after the first
    // 429, jobs a worker had already taken may still send their start (each answered 429 and pausing
    // the queue again); none taken later does. Allowed for: PAUSE_WITHIN_MS.
    const first429 = starts.find((s) => burst && s.at >= burst.from && s.status === 429)?.at ?? NaN;
    const startsWhilePaused = starts.filter((s) => burst && s.at >= first429 + PAUSE_WITHIN_MS && s.at < burst.to - 500).length;
    const burstStarts = starts.filter((s) => burst && s.at >= burst.from && s.at < burst.to);
    const starts200 = starts.filter((s) => s.status === 200 && s.key.startsWith('letter-'));
    const firstStart = starts200[0]?.at ?? t0;

    const listing = perSecond('listing', 'list');
    const listingProgress = perSecond('listing', 'progress');
    const polling = perSecond('polling', 'progress');
    const summary = {
      bullmq: bullmqVersion(),
      jobs: JOBS,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      flowSeconds: FLOW_MS / 1000,
      kills: kills.map((k) => ({ slot: k.slot, endedJobs: k.endedJobs })),
      executions: statusOf.size,
      duplicateStarts: [...executionsOf.values()].reduce((n, ids) => n + ids.length - 1, 0),
      lost: [...letters, ...compared].filter((l) => !endedIds.has(l.id)).length,
      outcomeMismatches: mismatches.length,
      completed: jobs.filter((j) => j.returnvalue !== null && j.returnvalue !== undefined).length,
      failed: jobs.filter((j) => j.returnvalue === null || j.returnvalue === undefined).length,
      stalledJobsReprocessed: jobs.filter((j) => j.stalledCounter > 0).length,
      resumed,
      listing: { listRequestsPerCycle: listing, progressRequestsPerSecond: listingProgress, reconciliationListRequestsPerSecond: perSecond('listing', 'flowList') },
      polling: { progressRequestsPerSecond: polling, listRequests: samples.filter((s) => s.phase === 'polling').reduce((n, s) => n + s.list, 0) },
      burst: burst && {
        seconds: BURST_MS / 1000,
        startRequests: burstStarts.length,
        answered429: burstStarts.filter((s) => s.status === 429).length,
        fleetPausedAfterMs: Math.max(0, (burstStarts.filter((s) => s.status === 429).at(-1)?.at ?? first429) - first429),
        startsWhilePaused,
        pauseWithinMs: PAUSE_WITHIN_MS,
        rateLimitTtlMidBurst,
        startsPerSecond: Array.from({ length: Math.ceil(BURST_MS / 1000) + 4 }, (_, i) => starts.filter((s) => s.at >= burst!.from - 2_000 + i * 1000 && s.at < burst!.from - 1_000 + i * 1000).length),
      },
      throughputJobsPerMinute: round((JOBS * 60_000) / (listingEnd - firstStart), 0),
      listingPhaseSeconds: round((listingEnd - t0) / 1000, 0),
      comparisonSeconds: round((compareEnd - compareFrom) / 1000, 0),
      seconds: round((Date.now() - t0) / 1000, 0),
    };
    process.stdout.write(`bullmq fleet test: ${JSON.stringify(summary)}\n`);
    if (process.env.FLEET_JSON) writeFileSync(process.env.FLEET_JSON, `${JSON.stringify(summary, null, 2)}\n`);

    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(summary).toMatchObject({ duplicateStarts: 0, lost: 0, outcomeMismatches: 0, executions: JOBS + COMPARE_JOBS });
    expect(summary.completed + summary.failed).toBe(JOBS + COMPARE_JOBS);
    expect(kills).toHaveLength(3);
    expect(summary.stalledJobsReprocessed).toBeGreaterThan(0);
    // One listing request per worker per cycle while LIVE executions ran (and a measure of it).
    expect(listing.seconds).toBeGreaterThanOrEqual(10);
    expect(listing.perCycle).toBeLessThanOrEqual(WORKERS * 1.1);
    expect(polling.seconds).toBeGreaterThanOrEqual(5);
    // The burst paused the whole fleet: after the first 429 had been heard, no start reached the server.
    expect(summary.burst!.answered429).toBeGreaterThan(0);
    expect(summary.burst!.startRequests).toBe(summary.burst!.answered429);
    // Longer than the limiter's own 1 s window: the pause worker.rateLimit set.
    expect(rateLimitTtlMidBurst).toBeGreaterThan(1_000);
    expect(startsWhilePaused).toBe(0);
  });
});
