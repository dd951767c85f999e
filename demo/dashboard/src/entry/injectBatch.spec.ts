import { createEnvironmentInjector, EnvironmentInjector, type Resource } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { BatchSnapshot } from 'smart-flows-rx';
import { injectBatch } from 'smart-flows-rx/angular';
import { builtInFlows } from 'smart-flows-rx/testing';
import { describe, expect, it } from '@jest/globals';
import { useSimulatorTestBed } from '../testing/simulator-testbed';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
/** The simulator's HTTP server, and a TestBed pointed at it for each test. */
const sim = useSimulatorTestBed(5);

const jobs = [
  { key: 'letter', flowId: flows.short.id, input: '<Letter/>' },
  { key: 'quote', flowId: flows.userInput.id, input: '<Quote/>' },
  { key: 'report', flowId: flows.long.id, input: '<Report/>' },
  { key: 'broken', flowId: flows.error.id, input: '<Letter/>' },
];

describe('injectBatch', () => {

  it('runs a batch as signals: a form answered and a job cancelled by key, to done; retry() runs it again', async () => {
    const batch = TestBed.runInInjectionContext(() => injectBatch(jobs, { concurrency: 4 }));
    const item = (key: string) => batch.items().find((i) => i.key === key);
    await waitFor(() => {
      expect(item('quote')?.progress?.status).toBe('UserInput');
      expect(item('report')?.progress?.status).toBe('Running');
    });
    expect(batch.isActive()).toBe(true);
    await batch.submitUserInput('quote', { approved: true, comment: 'ok' });
    await batch.cancel('report');

    await waitFor(() => expect(batch.done()).toBe(true));
    await waitFor(() => expect(batch.isActive()).toBe(false));
    expect(batch.items().map((i) => [i.key, i.state])).toEqual([['letter', 'succeeded'], ['quote', 'succeeded'], ['report', 'failed'], ['broken', 'failed']]);
    expect(item('report')?.error).toMatchObject({ status: 'Canceled' });
    expect(batch.percentage()).toBe(100);
    expect(batch.error()).toBeUndefined();
    await expect(batch.cancel('nobody')).rejects.toThrow(/No execution for job "nobody"/);

    const started = sim.server.simulator.stats.executionsStarted;
    batch.retry();
    await waitFor(() => expect(sim.server.simulator.stats.executionsStarted).toBeGreaterThan(started));
    expect(batch.isActive()).toBe(true);
  });

  it('puts a batch that cannot start (bad jobs) in error()', async () => {
    const batch = TestBed.runInInjectionContext(() => injectBatch([{ key: 'x', flowId: 'not-a-guid' }, { key: 'x', flowId: flows.short.id }]));
    await waitFor(() => expect(batch.error()).toBeDefined());
    expect(batch.error()).toMatchObject({ name: 'SmartFlowsInputError' });
    expect(batch.isActive()).toBe(false);
  });

  it('stops every poll when its injector is destroyed', async () => {
    const scope = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const batch = injectBatch([jobs[2]!], { injector: scope });
    await waitFor(() => expect(batch.items()[0]?.progress?.status).toBe('Running'));
    const id = batch.items()[0]!.executionId!;
    const requests = () => sim.server.simulator.requests.filter((r) => r.path.includes(id)).length;
    await waitFor(() => expect(requests()).toBeGreaterThan(1));

    scope.destroy();
    const before = requests();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(requests()).toBe(before);
  });

  it('is an Angular Resource too: loading while it runs, resolved with the last snapshot; reload() reruns what failed', async () => {
    const batch = TestBed.runInInjectionContext(() => injectBatch([jobs[0]!, jobs[3]!], { debugName: 'letters' }));
    const resource: Resource<BatchSnapshot | undefined> = batch.resource;
    TestBed.tick();
    expect([resource.status(), resource.isLoading(), batch.isLoading()]).toEqual(['loading', true, true]);
    expect(batch.reload()).toBe(false);

    await waitFor(() => expect(resource.status()).toBe('resolved'));
    expect([resource.isLoading(), resource.hasValue(), batch.hasValue()]).toEqual([false, true, true]);
    expect(resource.value()).toBe(batch.snapshot());
    expect(batch.value()).toBe(batch.snapshot());
    expect(resource.value()).toMatchObject({ done: true, succeeded: 1, failed: 1 });
    expect(batch.debugName).toBe('letters');

    const started = sim.server.simulator.stats.executionsStarted;
    expect(batch.reload()).toBe(true);
    TestBed.tick();
    expect(resource.status()).toBe('loading');
    await waitFor(() => expect(resource.status()).toBe('resolved'));
    // Only the failed job ran again.
    expect(sim.server.simulator.stats.executionsStarted).toBe(started + 1);
  });

  it('as a Resource, is idle without jobs and in error when the batch cannot start', async () => {
    const none = TestBed.runInInjectionContext(() => injectBatch(null));
    TestBed.tick();
    expect([none.resource.status(), none.hasValue(), none.reload()]).toEqual(['idle', false, false]);

    const bad = TestBed.runInInjectionContext(() => injectBatch([{ key: 'x', flowId: 'not-a-guid' }]));
    await waitFor(() => expect(bad.resource.status()).toBe('error'));
    expect(bad.resource.error()).toMatchObject({ name: 'SmartFlowsInputError' });
    expect(() => bad.value()).toThrow(/flowId/);
  });
});
