import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { build, stop as stopEsbuild } from 'esbuild';
import { processBundleOptions } from '../../helpers/processBundle';
import { createSimulator, type FlowScript, type Simulator, startSimulatorServer } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../../lib/client';
import { fileJournal } from '../../../lib/node/fileJournal';
import { normalizeStatus } from '../../../lib/api/status';
import type { BatchJournalSummary } from '../../../lib/execution/batchTypes';

const flow = (n: number, outcome: FlowScript['outcome']): FlowScript => ({
  id: `c4a50000-0000-4000-8000-00000000000${n}`,
  displayName: `Crash test ${outcome}`,
  stages: [
    { message: 'Merge data', percentage: 0, durationMs: 80 },
    { message: 'Render PDF', percentage: 50, durationMs: 80 },
  ],
  outcome,
  ...(outcome === 'Success' ? { documents: [{ displayName: 'Letter.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4\n%%EOF\n' }] } : {}),
});
const FLOWS = [flow(1, 'Success'), flow(2, 'Success'), flow(3, 'Error')];

/** What a crash run measured. */
export interface CrashFigures {
  jobs: number;
  kills: number;
  /** Kills made right after the simulator created an execution and before its start answer left. */
  killsBetweenStartAndAnswer: number;
  /** Kills made as a run's n-th request (any route, n random) reached the server. */
  killsAtRequest: number;
  /** Kills made when a run asked for more than its share of new executions (see crashRun). */
  killsAtStartCap: number;
  /** Kills made by a timer at a random moment of a run (from its spawn). */
  killsOnTimer: number;
  runs: number;
  executions: number;
  duplicates: number;
  missing: number;
  /** Jobs whose reported outcome differs from the simulator's execution. */
  outcomeMismatches: number;
  resumed: number;
  adopted: number;
  restarted: number;
  uncertain: number;
  tornLines: number;
  journalRecords: number;
}

interface FinalItem {
  key: string;
  state: string;
  executionId?: string;
  status?: string;
}

/** Bundles the child once per process, its dependencies inlined (see processBundleOptions). */
async function bundleChild(): Promise<string> {
  const dir = resolve(process.cwd(), 'node_modules/.cache/smart-flows-rx-crash');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `child-${process.pid}.mjs`);
  try {
    await build(processBundleOptions(resolve(process.cwd(), 'spec/batch/support/crashChild.ts'), outfile));
  } finally {
    // esbuild's service process would outlive this file, and its pipes (created inside the test,
    // so carrying Jest's test context) would keep this file's whole environment in the heap for
    // the rest of the process: 10 MB under the next soak's heap measurement.
    await stopEsbuild();
  }
  return outfile;
}

/**
 * The crash test: a child process runs a `jobs`-job batch on a `fileJournal` against the
 * simulator's HTTP server here; it is SIGKILLed `kills` times — a third right after the server
 * created an execution and before the start answer was sent, a third as its n-th request (n
 * random) reaches the server, a third at a random moment — and started again each time on the
 * same journal; then once more to the end.
 *
 * The kills are tied to the batch's progress, not to the machine's speed: each run may create
 * only its share of the executions still to create (`(jobs − 1 − created) ÷ kills left`, at
 * least 1), and the run asking for one more is killed before the server creates it. So the batch
 * cannot end before the last kill, however slow the machine (a loaded one let executions finish
 * on the server while each run started, and ended the batch after 36–57 of 60 kills).
 */
export async function crashRun(options: { jobs: number; kills: number; seed: number }): Promise<CrashFigures> {
  let random = options.seed >>> 0;
  const next = () => ((random = (Math.imul(random, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const child$ = await bundleChild();
  const journalPath = join(mkdtempSync(join(tmpdir(), 'sfrx-crash-')), 'batch.jsonl');
  const simulator = createSimulator({ flows: FLOWS, seed: options.seed, requestLogLimit: 10 });
  let current: ChildProcess | undefined;
  let armed = false;
  let killsBetweenStartAndAnswer = 0;
  let killsAtRequest = 0;
  let killsAtStartCap = 0;
  let killsOnTimer = 0;
  /** Executions created so far, and by the current run; the run's share; the request that kills it (mode 1). */
  let created = 0;
  let createdThisRun = 0;
  let shareThisRun = Infinity;
  let requestsThisRun = 0;
  let killAtRequest = Infinity;
  /** Set once the current run is being killed: its requests still arriving are dropped once it is dead, not served. */
  let killing = false;
  let death: Promise<unknown> = Promise.resolve();
  const alive = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = (child: ChildProcess) => {
    killing = true;
    death = once(child, 'exit');
    child.kill('SIGKILL');
    return death;
  };
  const wrapped: Simulator = Object.create(simulator) as Simulator;
  // The server answers from this wrapper: when armed, the first start is created, then the
  // process that sent it is killed before the answer goes out. A run past its share of starts,
  // or at its chosen request, is killed before the simulator sees the request (nothing created).
  wrapped.handle = async (request) => {
    const isStartRequest = request.method.toUpperCase() === 'POST' && /\/flows\/executions(\/start)?(\?|$)/.test(request.url);
    if (killing) {
      await death;
      return { status: 503, headers: {}, reset: true };
    }
    if (alive(current) && !armed) {
      const overShare = isStartRequest && createdThisRun >= shareThisRun;
      if (overShare || ++requestsThisRun >= killAtRequest) {
        if (overShare) killsAtStartCap++;
        else killsAtRequest++;
        await kill(current);
        return { status: 503, headers: {}, reset: true };
      }
    }
    const answer = await simulator.handle(request);
    const isStart = isStartRequest && answer.status === 200;
    if (isStart) {
      created++;
      createdThisRun++;
    }
    if (armed && isStart && alive(current)) {
      armed = false;
      killsBetweenStartAndAnswer++;
      await kill(current);
    }
    return answer;
  };
  const server = await startSimulatorServer({ simulator: wrapped });
  const figures = { resumed: 0, adopted: 0, restarted: 0, uncertain: 0, tornLines: 0 };
  let kills = 0;
  let runs = 0;
  let final: FinalItem[] | undefined;
  try {
    const launch = () => {
      runs++;
      createdThisRun = 0;
      requestsThisRun = 0;
      killing = false;
      const child = spawn(process.execPath, [child$], {
        env: { ...process.env, CRASH_CHILD: JSON.stringify({ baseUrl: server.url, apiKey: server.apiKey, journal: journalPath, jobs: options.jobs, flows: FLOWS.map((f) => f.id) }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      current = child;
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const line of out.split('\n').slice(0, -1)) {
          const value = JSON.parse(line) as { journal?: BatchJournalSummary; items?: FinalItem[] };
          if ('journal' in value && value.journal) {
            for (const k of ['resumed', 'adopted', 'restarted', 'uncertain'] as const) figures[k] += value.journal[k];
            if (value.journal.tornLine !== undefined) figures.tornLines++;
          }
          if (value.items) final = value.items;
        }
        out = out.slice(out.lastIndexOf('\n') + 1);
      });
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const t0 = Date.now();
      const exited = once(child, 'exit').then(([code, signal]) => {
        if (process.env.CRASH_TRACE) process.stderr.write(`run ${runs}: ${Date.now() - t0} ms, ${String(signal ?? code)}\n`);
        if (signal !== 'SIGKILL' && code !== 0) throw new Error(`the batch process exited with ${String(code)}: ${err}`);
        return signal === 'SIGKILL';
      });
      return { child, exited };
    };

    while (kills < options.kills && !final) {
      const mode = kills % 3;
      shareThisRun = Math.max(1, Math.floor((options.jobs - 1 - created) / (options.kills - kills)));
      killAtRequest = mode === 1 ? 1 + Math.floor(next() * 40) : Infinity;
      armed = mode === 0;
      const { child, exited } = launch();
      if (mode === 2) {
        // A random moment of the run; the share of starts still bounds what it can do before.
        const timer = setTimeout(() => {
          if (alive(child) && !killing) {
            killsOnTimer++;
            void kill(child);
          }
        }, next() * 700);
        void exited.finally(() => clearTimeout(timer)).catch(() => undefined);
      }
      if (await exited) kills++;
      armed = false;
    }
    shareThisRun = Infinity;
    killAtRequest = Infinity;
    if (!final) {
      const { exited } = launch();
      await exited;
    }
  } finally {
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
  }

  try {
    // The simulator's truth: every execution of the test's flows, each traced to its job by its input.
    const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey, fetch: globalThis.fetch });
    const listed = (await lastValueFrom(client.listExecutions({ size: 1000 }))).items;
    const byKey = new Map<string, { id: string; status: string }[]>();
    for (const e of listed) {
      const full = await lastValueFrom(client.getExecution(e.id));
      const xml = (full.state?.inputData as { xml?: string } | undefined)?.xml ?? '';
      const key = `job-${/<No>(\d+)<\/No>/.exec(xml)?.[1] ?? '?'}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { id: full.id, status: full.status }]);
    }
    const items = final ?? [];
    const outcomeMismatches = items.filter((item) => {
      const found = byKey.get(item.key);
      if (!found || found.length !== 1) return true;
      return item.executionId !== found[0]!.id || item.status === undefined || normalizeStatus(item.status) !== found[0]!.status;
    }).length;
    const contents = await fileJournal(journalPath).read();
    return {
      jobs: options.jobs,
      kills,
      killsBetweenStartAndAnswer,
      killsAtRequest,
      killsAtStartCap,
      killsOnTimer,
      runs,
      executions: listed.length,
      duplicates: [...byKey.values()].reduce((n, list) => n + list.length - 1, 0),
      missing: Array.from({ length: options.jobs }, (_, i) => `job-${i}`).filter((k) => !byKey.has(k)).length,
      outcomeMismatches: outcomeMismatches + Math.max(0, options.jobs - items.length),
      ...figures,
      journalRecords: contents.records.length,
    };
  } finally {
    await server.close();
  }
}
