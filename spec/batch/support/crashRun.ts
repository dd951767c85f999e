import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { build } from 'esbuild';
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
  await build(processBundleOptions(resolve(process.cwd(), 'spec/batch/support/crashChild.ts'), outfile));
  return outfile;
}

/**
 * The crash test: a child process runs a `jobs`-job batch on a `fileJournal` against the
 * simulator's HTTP server here; it is SIGKILLed `kills` times — a third right after the server
 * created an execution and before the start answer was sent, the others at random moments —
 * and started again each time on the same journal; then once more to the end.
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
  // The server answers from this wrapper: when armed, the first start is created, then the
  // process that sent it is killed before the answer goes out.
  const wrapped: Simulator = Object.create(simulator) as Simulator;
  wrapped.handle = async (request) => {
    const answer = await simulator.handle(request);
    const isStart = request.method.toUpperCase() === 'POST' && /\/flows\/executions(\/start)?(\?|$)/.test(request.url) && answer.status === 200;
    if (armed && isStart && current && current.exitCode === null && current.signalCode === null) {
      armed = false;
      killsBetweenStartAndAnswer++;
      const dying = current;
      dying.kill('SIGKILL');
      await once(dying, 'exit');
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
      const child = spawn(process.execPath, [child$], {
        env: { ...process.env, CRASH_CHILD: JSON.stringify({ baseUrl: server.url, apiKey: server.apiKey, journal: journalPath, jobs: options.jobs, flows: FLOWS.map((f) => f.id) }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      current = child;
      let out = '';
      let err = '';
      let ready: () => void = () => undefined;
      const readyP = new Promise<void>((r) => (ready = r));
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const line of out.split('\n').slice(0, -1)) {
          const value = JSON.parse(line) as { journal?: BatchJournalSummary; items?: FinalItem[] };
          if ('journal' in value && value.journal) {
            for (const k of ['resumed', 'adopted', 'restarted', 'uncertain'] as const) figures[k] += value.journal[k];
            if (value.journal.tornLine !== undefined) figures.tornLines++;
            ready();
          }
          if (value.items) final = value.items;
        }
        out = out.slice(out.lastIndexOf('\n') + 1);
      });
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const t0 = Date.now();
      const exited = once(child, 'exit').then(([code, signal]) => {
        if (process.env.CRASH_TRACE) process.stderr.write(`run ${runs}: ${Date.now() - t0} ms, ${String(signal ?? code)}\n`);
        ready();
        if (signal !== 'SIGKILL' && code !== 0) throw new Error(`the batch process exited with ${String(code)}: ${err}`);
        return signal === 'SIGKILL';
      });
      return { child, readyP, exited };
    };

    while (kills < options.kills && !final) {
      const { child, readyP, exited } = launch();
      const mode = kills % 3;
      if (mode === 0) armed = true;
      else if (mode === 1) await readyP.then(() => new Promise((r) => setTimeout(r, next() * 400)));
      else await new Promise((r) => setTimeout(r, next() * 700));
      if (mode !== 0 && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (await exited) kills++;
      armed = false;
    }
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
