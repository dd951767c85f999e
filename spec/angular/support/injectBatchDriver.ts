// Runs injectBatch on Angular's own signals and effects (zoneless, no TestBed, no compiler) against
// the simulator's HTTP server, and prints what it saw as one JSON line. Bundled by esbuild and run
// as a child process by spec/angular/injectBatch.spec.ts: Jest here compiles no ES-module-only
// package, and @angular/core ships only ES modules. Scenario name in argv[2].
import {
  createEnvironmentInjector, effect, type EnvironmentInjector, Injector, provideZonelessChangeDetection, signal, ɵINJECTOR_SCOPE,
} from '@angular/core';
import { injectBatch } from '../../../lib/angular/injectBatch';
import { provideSmartFlows } from '../../../lib/angular/provideSmartFlows';
import type { BatchJob } from '../../../lib/index';
import { startSimulatorServer } from '../../../lib/testing/adapters/startSimulatorServer';
import { builtInFlows } from '../../../lib/testing/engine/builtInFlows';
import { toXml } from '../../../lib/xml/toXml';

const WAIT_MS = 20_000;

const server = await startSimulatorServer({ seed: 5 });
const injector: EnvironmentInjector = createEnvironmentInjector(
  [
    { provide: ɵINJECTOR_SCOPE, useValue: 'root' },
    provideZonelessChangeDetection(),
    provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, toXml, polling: { intervalMs: 20, maxIntervalMs: 100, idleIntervalMs: 100 } }),
  ],
  // An R3Injector at run time, which is what an environment injector's parent must be.
  Injector.create({ providers: [] }) as unknown as EnvironmentInjector,
);

/** Resolves when `holds()` is true, read by an effect (so on the signal change itself); bounded. */
function until(what: string, holds: () => boolean, seen: () => unknown = () => ''): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ref.destroy();
      reject(new Error(`not within ${WAIT_MS} ms: ${what} ${JSON.stringify(seen())}`));
    }, WAIT_MS);
    const ref = effect(
      () => {
        if (!holds()) return;
        clearTimeout(timer);
        queueMicrotask(() => ref.destroy());
        resolve();
      },
      { injector },
    );
  });
}

const starts = () => server.simulator.requests.filter((r) => r.route === 'start').map((r) => new URL(r.path, 'http://x').searchParams.get('flowId'));
const flowName = (id: string | null) => Object.entries(builtInFlows).find(([, f]) => f.id === id)?.[0] ?? id;
const startsByFlow = () => starts().reduce<Record<string, number>>((acc, id) => ({ ...acc, [flowName(id)!]: (acc[flowName(id)!] ?? 0) + 1 }), {});

const scenarios: Record<string, () => Promise<unknown>> = {
  /** A batch with a success, a failure and a warning ends; retry() then runs it again. */
  async retry() {
    const jobs: BatchJob[] = [
      { key: 'letter', flowId: builtInFlows.short.id, input: '<Letter><No>1</No></Letter>' },
      { flowId: builtInFlows.error.id, input: '<Letter><No>2</No></Letter>' },
      { key: 'warn', flowId: builtInFlows.warning.id, input: '<Letter><No>3</No></Letter>' },
    ];
    const batch = injectBatch(jobs, { injector });
    await until('the first run ends', () => batch.done() && !batch.isActive());
    const first = batch.snapshot()!;
    const startsBefore = startsByFlow();
    batch.retry();
    await until('the retry starts', () => batch.isActive());
    await until('the retry ends', () => batch.done() && !batch.isActive());
    const after = batch.snapshot()!;
    return {
      startsBefore,
      startsAfter: startsByFlow(),
      first: { keys: first.items.map((i) => i.key), states: first.items.map((i) => i.state) },
      after: {
        keys: after.items.map((i) => i.key),
        states: after.items.map((i) => i.state),
        counts: { total: after.total, queued: after.queued, running: after.running, succeeded: after.succeeded, failed: after.failed },
        percentage: after.percentage,
        done: after.done,
      },
      sameExecution: after.items.map((item, i) => item.executionId === first.items[i]!.executionId),
      sameItemObject: after.items.map((item, i) => item === first.items[i]),
    };
  },

  /** A jobs function recomputed to an equal list (new objects, same keys, flows and inputs) while the batch runs; then to a changed one. */
  async recompute() {
    const source = signal(0);
    const input = signal('<Letter><No>1</No></Letter>');
    const batch = injectBatch(
      () => {
        source();
        return [
          { key: 'a', flowId: builtInFlows.short.id, input: input() },
          { key: 'b', flowId: builtInFlows.short.id, input: { Letter: { No: 2, To: ['Ada', 'Grace'] } } },
        ];
      },
      { injector },
    );
    const seen = () => ({ error: String(batch.error() ?? ''), items: batch.items().map((i) => [i.key, i.state, i.executionId, String(i.error ?? '')]) });
    await until('both jobs started', () => batch.items().length === 2 && batch.items().every((i) => i.executionId !== undefined), seen);
    const ids = batch.items().map((i) => i.executionId);
    source.set(1);
    await until('the batch ends', () => batch.done() && !batch.isActive());
    const idsAtEnd = batch.items().map((i) => i.executionId);
    const startsAtEnd = starts().length;
    input.set('<Letter><No>9</No></Letter>');
    await until('a changed list starts a new batch', () => batch.isActive());
    await until('the new batch ends', () => batch.done() && !batch.isActive());
    return { ids, idsAtEnd, startsAtEnd, startsAfterChange: starts().length, states: batch.items().map((i) => i.state) };
  },
};

const name = process.argv[2] ?? '';
let output: unknown;
try {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario "${name}"`);
  output = { result: await scenario() };
} catch (error) {
  output = { error: error instanceof Error ? error.message : String(error) };
}
injector.destroy();
await server.close();
process.stdout.write(`${JSON.stringify(output)}\n`);
