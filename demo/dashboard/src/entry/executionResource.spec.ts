import { ChangeDetectionStrategy, Component, type Resource, type ResourceRef, signal, type WritableResource } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { type FlowExecution, FlowExecutionError, SmartFlowsClient } from 'smart-flows-rx';
import { type ExecutionRef, type ExecutionResourceRef, executionResource, injectExecution } from 'smart-flows-rx/angular';
import { builtInFlows } from 'smart-flows-rx/testing';
import { describe, expect, it } from '@jest/globals';
import { useSimulatorTestBed } from '../testing/simulator-testbed';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
/** The simulator's HTTP server, and a TestBed pointed at it for each test. */
const sim = useSimulatorTestBed(12);

/** Requests the simulator received for one execution so far. */
const requestsFor = (executionId: string) => sim.server.simulator.requests.filter((r) => r.path.includes(executionId)).length;
/** Long enough for several polls at the test's pace (20–100 ms), to show none came. */
const quietMs = () => new Promise((resolve) => setTimeout(resolve, 400));
const resourceOf = (request: Parameters<typeof executionResource>[0], debugName?: string): ExecutionResourceRef =>
  TestBed.runInInjectionContext(() => executionResource(request, { debugName }));

// Compile-time checks, run by `tsc -p tsconfig.spec.json` on Angular 22 (the dashboard) and on
// Angular 20 (demo/dashboard/angular20): the ref is each of Angular's Resource types…
export function assignable(ref: ExecutionResourceRef): [ResourceRef<FlowExecution | undefined>, WritableResource<FlowExecution | undefined>, Resource<FlowExecution | undefined>] {
  const asResourceRef: ResourceRef<FlowExecution | undefined> = ref;
  const readonly: Resource<FlowExecution | undefined> = ref.asReadonly();
  if (ref.hasValue()) {
    // …whose hasValue() narrows the value as Angular's does.
    const output: FlowExecution = ref.value();
    void output;
  }
  return [asResourceRef, ref, readonly];
}
// …while injectExecution's ref is not one (its `status` is the flow's), which is why this exists.
export function notAssignable(ref: ExecutionRef): Resource<FlowExecution | undefined> {
  // @ts-expect-error ExecutionRef['status'] is a FlowStatus signal, not a ResourceStatus one
  return ref;
}

/** A template that reads the ref as a Resource, with the flow's own signals beside. */
@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="status">{{ letter.status() }}</span> <span class="flow">{{ letter.executionStatus() ?? 'Starting' }}</span> <span class="pct">{{ letter.percentage() }} %</span>
    @if (letter.hasValue()) {
      <span class="id">{{ letter.value().id }}</span>
    }`,
})
class LetterComponent {
  readonly letter = executionResource({ flowId: flows.short.id, input: '<Letter/>' }, { debugName: 'letter' });
}

describe('executionResource', () => {

  it("is a ResourceRef: idle, loading while the run is followed, resolved with the output; the flow's status under executionStatus", async () => {
    const flowId = signal<string | null>(null);
    const letter = resourceOf(() => (flowId() ? { flowId: flowId()!, input: '<Letter/>' } : null), 'letter');
    TestBed.tick();
    expect([letter.status(), letter.isLoading(), letter.hasValue(), letter.value(), letter.executionStatus()]).toEqual(['idle', false, false, undefined, undefined]);

    flowId.set(flows.short.id);
    TestBed.tick();
    expect([letter.status(), letter.isLoading(), letter.hasValue()]).toEqual(['loading', true, false]);
    const percentages = new Set<number>();
    await waitFor(() => {
      percentages.add(letter.percentage());
      expect(letter.status()).toBe('resolved');
    });
    expect([letter.isLoading(), letter.hasValue(), letter.executionStatus(), letter.percentage(), letter.error()]).toEqual([false, true, 'Success', 100, undefined]);
    expect(letter.value()).toMatchObject({ id: letter.executionId(), status: 'Success' });
    expect(letter.documents().length).toBeGreaterThan(0);
    expect(letter.message()).toEqual(expect.any(String));
    expect(letter.progress()?.status).toBe('Success');
    expect(letter.debugName).toBe('letter');
    // Angular 22's snapshot (Angular 20 has none in its types, the object has it on both).
    expect((letter as unknown as { snapshot(): unknown }).snapshot()).toEqual({ status: 'resolved', value: letter.value() });
  });

  it("renders in a component's template: Resource status, the flow's status and percentage, the value once there", async () => {
    const fixture = TestBed.createComponent(LetterComponent);
    fixture.autoDetectChanges();
    const shown = (selector: string) => (fixture.nativeElement as HTMLElement).querySelector(selector)?.textContent ?? '';
    expect(shown('.id')).toBe('');
    await waitFor(() => expect([shown('.status'), shown('.flow'), shown('.pct')]).toEqual(['resolved', 'Success', '100 %']));
    expect(shown('.id')).toBe(fixture.componentInstance.letter.executionId());
  });

  it("in error: error() is the FlowExecutionError, value() throws Angular's ResourceValueError with it as cause, hasValue() is false; reload() starts the flow anew, once, 'reloading' with the error kept", async () => {
    const broken = resourceOf({ flowId: flows.error.id, input: '<Letter/>' });
    await waitFor(() => expect(broken.status()).toBe('error'));
    expect(broken.error()).toBeInstanceOf(FlowExecutionError);
    expect(() => broken.value()).toThrow(expect.objectContaining({ name: 'ResourceValueError', cause: broken.error() }));
    expect([broken.hasValue(), broken.isLoading(), broken.executionStatus()]).toEqual([false, false, 'Error']);
    expect((broken as unknown as { snapshot(): unknown }).snapshot()).toEqual({ status: 'error', error: broken.error() });

    const started = sim.server.simulator.stats.executionsStarted;
    const failure = broken.error();
    expect(broken.reload()).toBe(true);
    TestBed.tick();
    // Angular's rule (was 'loading' with error() cleared): 'reloading', the error kept, no value.
    expect([broken.status(), broken.error(), broken.value(), broken.hasValue()]).toEqual(['reloading', failure, undefined, false]);
    expect(broken.reload()).toBe(false);
    await waitFor(() => expect(broken.status()).toBe('error'));
    expect(sim.server.simulator.stats.executionsStarted).toBe(started + 1);
  });

  it("reload() after Success runs again and shows the last output meanwhile ('reloading')", async () => {
    const letter = resourceOf({ flowId: flows.short.id, input: '<Letter/>' });
    await waitFor(() => expect(letter.status()).toBe('resolved'));
    const first = letter.value()!;
    expect(letter.reload()).toBe(true);
    TestBed.tick();
    expect([letter.status(), letter.isLoading(), letter.hasValue(), letter.value()]).toEqual(['reloading', true, true, first]);
    await waitFor(() => expect(letter.status()).toBe('resolved'));
    expect(letter.value()!.id).not.toBe(first.id);
  });

  it("set() and update() show a local value ('local') while the run goes on; reload() shows the run again, never a second start", async () => {
    const report = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    await waitFor(() => expect(report.executionStatus()).toBe('Running'));
    const id = report.executionId()!;
    const local = { id, status: 'Success' } as FlowExecution;
    report.set(local);
    expect([report.status(), report.value(), report.hasValue(), report.isLoading(), report.error()]).toEqual(['local', local, true, false, undefined]);
    report.update((v) => ({ ...v!, status: 'Warning' }));
    expect(report.value()).toEqual({ id, status: 'Warning' });
    expect(report.value.asReadonly()()).toEqual({ id, status: 'Warning' });
    expect('set' in report.value.asReadonly()).toBe(false);
    // Still followed: its polls and the flow's own signals go on.
    const before = requestsFor(id);
    await waitFor(() => expect(requestsFor(id)).toBeGreaterThan(before));
    expect(report.executionStatus()).toBe('Running');

    const started = sim.server.simulator.stats.executionsStarted;
    expect(report.reload()).toBe(true);
    expect([report.status(), report.value()]).toEqual(['loading', undefined]);
    await report.cancel();
    await waitFor(() => expect(report.status()).toBe('error'));
    expect(report.executionId()).toBe(id);
    expect(sim.server.simulator.stats.executionsStarted).toBe(started);
  });

  it("a new request drops the local value; destroy() leaves the run for good (status 'idle', no more requests, set and reload do nothing)", async () => {
    const flowId = signal<string>(flows.short.id);
    const ref = resourceOf(() => ({ flowId: flowId(), input: '<Doc/>' }));
    await waitFor(() => expect(ref.status()).toBe('resolved'));
    ref.set(undefined);
    expect([ref.status(), ref.value(), ref.hasValue()]).toEqual(['local', undefined, false]);
    flowId.set(flows.long.id);
    TestBed.tick();
    expect(ref.status()).toBe('loading');
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    const id = ref.executionId()!;

    ref.destroy();
    expect([ref.status(), ref.value(), ref.executionStatus(), ref.isLoading()]).toEqual(['idle', undefined, undefined, false]);
    const before = requestsFor(id);
    ref.set({ id, status: 'Success' } as FlowExecution);
    expect([ref.reload(), ref.status()]).toEqual([false, 'idle']);
    flowId.set(flows.short.id);
    TestBed.tick();
    await quietMs();
    expect(requestsFor(id)).toBe(before);
    expect(ref.status()).toBe('idle');
    // Left, not cancelled.
    expect((await firstValueFrom(TestBed.inject(SmartFlowsClient).getProgress(id))).status).toBe('Running');
  });

  it("watches an execution by id, and injectExecution's ref keeps every signal it had", async () => {
    const started = await firstValueFrom(TestBed.inject(SmartFlowsClient).startExecution(flows.short.id, '<Letter/>'));
    const watched = resourceOf({ executionId: started.id });
    const ref = TestBed.runInInjectionContext(() => injectExecution({ executionId: started.id }));
    await waitFor(() => {
      expect(watched.status()).toBe('resolved');
      expect(ref.status()).toBe('Success');
    });
    expect(watched.value()?.id).toBe(started.id);
    expect(ref.resource.status()).toBe('resolved');
  });
});
