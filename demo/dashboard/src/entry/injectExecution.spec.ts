import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, createEnvironmentInjector, EnvironmentInjector, Injectable, provideZonelessChangeDetection, type Resource, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { rxResource } from '@angular/core/rxjs-interop';
import { firstValueFrom } from 'rxjs';
import { type FlowExecution, FlowExecutionError, SmartFlowsClient } from 'smart-flows-rx';
import { type ExecutionRef, injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
let server: SimulatorServer;
/** Requests the app's interceptor saw (the client sends through HttpClient). */
let intercepted = 0;

/** Requests the simulator received for one execution so far. */
const requestsFor = (executionId: string) => server.simulator.requests.filter((r) => r.path.includes(executionId)).length;
/** Long enough for several polls at the test's pace (20–100 ms), to show none came. */
const quietMs = () => new Promise((resolve) => setTimeout(resolve, 400));
const run = (request: Parameters<typeof injectExecution>[0]): ExecutionRef => TestBed.runInInjectionContext(() => injectExecution(request));

/** A component that shows a run with signals only: OnPush, no async pipe, no zone.js. */
@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="status">{{ letter.status() ?? 'Starting' }}</span> <span class="pct">{{ letter.percentage() }} %</span> <span class="msg">{{ letter.message() }}</span>`,
})
class LetterComponent {
  readonly letter = injectExecution({ flowId: flows.short.id, input: '<Letter/>' });
}

@Component({ template: `{{ report.status() }}` })
class ReportComponent {
  readonly report = injectExecution({ flowId: flows.long.id, input: '<Report/>' });
}

/** A service that follows a run from its constructor. */
@Injectable({ providedIn: 'root' })
class QuoteService {
  readonly quote = injectExecution({ flowId: flows.userInput.id, input: '<Quote/>' });
}

describe('injectExecution', () => {
  beforeAll(async () => {
    server = await startSimulatorServer({ seed: 11 });
  });
  afterAll(() => server.close());

  beforeEach(() => {
    intercepted = 0;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withFetch(), withInterceptors([(request, next) => (intercepted++, next(request))])),
        provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 20, maxIntervalMs: 100, idleIntervalMs: 100 } }, withHttpClient()),
      ],
    });
  });

  it('updates an OnPush component by itself (zoneless): its template follows the run to Success', async () => {
    expect((globalThis as { Zone?: unknown }).Zone).toBeUndefined();
    const fixture = TestBed.createComponent(LetterComponent);
    fixture.autoDetectChanges();
    const text = () => (fixture.nativeElement as HTMLElement).textContent ?? '';
    const seen = new Set<string>();
    await waitFor(() => {
      seen.add(text());
      expect(text()).toContain('Success');
    });
    // No detectChanges() was called: the signals' writes scheduled each render.
    expect(text()).toContain('100 %');
    expect([...seen].some((t) => t.includes('Running'))).toBe(true);
    expect(intercepted).toBeGreaterThan(2);
  });

  it('follows a whole run with a form: progress, UserInput answered, then the output and its documents (in a service constructor)', async () => {
    const { quote } = TestBed.inject(QuoteService);
    const percentages = new Set<number>();
    await waitFor(() => {
      percentages.add(quote.percentage());
      expect(quote.status()).toBe('UserInput');
    });
    expect(quote.isActive()).toBe(true);
    expect(quote.progress()?.schema).toBeDefined();
    const answered = await quote.submitUserInput({ approved: true, comment: 'Fine by me' });
    expect(answered.id).toBe(quote.executionId());

    await waitFor(() => {
      percentages.add(quote.percentage());
      expect(quote.status()).toBe('Success');
      expect(quote.isActive()).toBe(false);
    });
    expect(quote.output()).toMatchObject({ id: quote.executionId(), status: 'Success' });
    expect(quote.percentage()).toBe(100);
    expect(quote.documents().map((d) => d.displayName)).toContain('Quote.pdf');
    expect(quote.error()).toBeUndefined();
    expect([...percentages].some((p) => p > 0 && p < 100)).toBe(true);
    expect(server.simulator.stats.byRoute.userInput).toBeGreaterThanOrEqual(1);
  });

  it('ends a Warning run with its output and message, no error', async () => {
    const letter = run({ flowId: flows.warning.id, input: '<Letter/>' });
    await waitFor(() => expect(letter.output()).toBeDefined());
    expect(letter.isActive()).toBe(false);
    expect(letter.status()).toBe('Warning');
    expect(letter.output()?.status).toBe('Warning');
    expect(letter.message()).toMatch(/e-mail failed/);
    expect(letter.error()).toBeUndefined();
  });

  it('ends an Error run with FlowExecutionError in error(), and retry() starts the flow anew', async () => {
    const broken = run({ flowId: flows.error.id, input: '<Letter/>' });
    await waitFor(() => expect(broken.error()).toBeDefined());
    expect(broken.isActive()).toBe(false);
    expect(broken.status()).toBe('Error');
    expect(broken.error()).toBeInstanceOf(FlowExecutionError);
    expect(broken.error()).toMatchObject({ status: 'Error', executionId: broken.executionId() });
    expect(broken.message()).toMatch(/customer\.name/);

    const first = broken.executionId();
    const started = server.simulator.stats.executionsStarted;
    broken.retry();
    // retry() clears executionId at once (undefined is "not first" too): wait for the new start's id.
    await waitFor(() => {
      expect(broken.executionId()).toBeDefined();
      expect(broken.executionId()).not.toBe(first);
    });
    expect(broken.error()).toBeUndefined();
    expect(server.simulator.stats.executionsStarted).toBe(started + 1);
  });

  it('cancel() cancels on the server; the signals reach Canceled', async () => {
    const report = run({ flowId: flows.long.id, input: '<Report/>' });
    await expect(report.cancel()).rejects.toThrow(/No execution to cancel yet/);
    await waitFor(() => expect(report.status()).toBe('Running'));
    await report.cancel();
    await waitFor(() => {
      expect(report.status()).toBe('Canceled');
      expect(report.isActive()).toBe(false);
    });
    expect(report.error()).toMatchObject({ name: 'FlowExecutionError', status: 'Canceled' });
  });

  it('follows an execution by id (watch)', async () => {
    const started = await firstValueFrom(TestBed.inject(SmartFlowsClient).startExecution(flows.short.id, '<Letter/>'));
    const letter = run({ executionId: started.id });
    await waitFor(() => expect(letter.status()).toBe('Success'));
    expect(letter.executionId()).toBe(started.id);
    expect(server.simulator.stats.executionsStarted).toBeGreaterThan(0);
  });

  it('restarts when a signal it reads changes, leaving the previous run (no more requests for it)', async () => {
    const flowId = signal<string>(flows.long.id);
    const current = run(() => ({ flowId: flowId(), input: '<Doc/>' }));
    await waitFor(() => expect(current.status()).toBe('Running'));
    const first = current.executionId()!;

    flowId.set(flows.short.id);
    await waitFor(() => {
      expect(current.executionId()).not.toBe(first);
      expect(current.status()).toBe('Success');
    });
    const before = requestsFor(first);
    await quietMs();
    expect(requestsFor(first)).toBe(before);
    // Left, not cancelled: the first execution still runs on the server.
    const progress = await firstValueFrom(TestBed.inject(SmartFlowsClient).getProgress(first));
    expect(progress.status).toBe('Running');
  });

  it('follows nothing while the request is null, and starts when it is set', async () => {
    const flowId = signal<string | null>(null);
    const letter = run(() => (flowId() ? { flowId: flowId()!, input: '<Letter/>' } : null));
    TestBed.tick();
    expect(letter.isActive()).toBe(false);
    expect(letter.status()).toBeUndefined();
    flowId.set(flows.short.id);
    await waitFor(() => expect(letter.status()).toBe('Success'));
  });

  it('stops polling when its component is destroyed', async () => {
    const fixture = TestBed.createComponent(ReportComponent);
    fixture.autoDetectChanges();
    const report = fixture.componentInstance.report;
    await waitFor(() => expect(report.status()).toBe('Running'));
    const id = report.executionId()!;
    await waitFor(() => expect(requestsFor(id)).toBeGreaterThan(1));

    fixture.destroy();
    const before = requestsFor(id);
    await quietMs();
    expect(requestsFor(id)).toBe(before);
  });

  it('needs an injection context, or an explicit injector whose destruction stops it', async () => {
    expect(() => injectExecution({ flowId: flows.long.id })).toThrow(/injection context/);

    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const report = injectExecution({ flowId: flows.long.id, input: '<Report/>' }, { injector: child });
    await waitFor(() => expect(report.status()).toBe('Running'));
    const id = report.executionId()!;
    await waitFor(() => expect(requestsFor(id)).toBeGreaterThan(1));

    child.destroy();
    const before = requestsFor(id);
    await quietMs();
    expect(requestsFor(id)).toBe(before);
  });

  it('is an Angular Resource too: idle, loading, then resolved with the output; its own signals stay', async () => {
    const flowId = signal<string | null>(null);
    const letter = TestBed.runInInjectionContext(() => injectExecution(() => (flowId() ? { flowId: flowId()!, input: '<Letter/>' } : null), { debugName: 'letter' }));
    // The type Angular's APIs take (Resource), checked by tsc on Angular 20 and 22.
    const resource: Resource<FlowExecution | undefined> = letter.resource;
    TestBed.tick();
    expect([resource.status(), resource.isLoading(), resource.hasValue(), letter.hasValue(), letter.isLoading()]).toEqual(['idle', false, false, false, false]);
    expect(resource.value()).toBeUndefined();

    flowId.set(flows.short.id);
    TestBed.tick();
    expect([resource.status(), resource.isLoading(), letter.isLoading(), letter.hasValue()]).toEqual(['loading', true, true, false]);

    await waitFor(() => expect(resource.status()).toBe('resolved'));
    expect([resource.isLoading(), resource.hasValue(), letter.hasValue(), letter.isLoading()]).toEqual([false, true, true, false]);
    expect(resource.value()).toBe(letter.output());
    expect(letter.value()).toBe(letter.output());
    expect(resource.value()).toMatchObject({ status: 'Success' });
    expect(resource.error()).toBeUndefined();
    expect(letter.debugName).toBe('letter');
    // The ref's own signals keep their meaning: status is the flow's.
    expect([letter.status(), letter.percentage(), letter.isActive()]).toEqual(['Success', 100, false]);
  });

  it('as a Resource in error: error() is the FlowExecutionError, value() throws a ResourceValueError with it as cause, reload() starts again (not while active)', async () => {
    const broken = TestBed.runInInjectionContext(() => injectExecution({ flowId: flows.error.id, input: '<Letter/>' }));
    await waitFor(() => expect(broken.resource.status()).toBe('error'));
    expect(broken.resource.error()).toBeInstanceOf(FlowExecutionError);
    expect(broken.resource.error()).toBe(broken.error());
    const thrown = expect.objectContaining({ name: 'ResourceValueError', cause: broken.error() });
    expect(() => broken.value()).toThrow(thrown);
    expect(() => broken.resource.value()).toThrow(thrown);
    expect([broken.hasValue(), broken.resource.hasValue(), broken.resource.isLoading()]).toEqual([false, false, false]);
    expect(broken.status()).toBe('Error');
    expect(broken.debugName).toBeUndefined();

    const started = server.simulator.stats.executionsStarted;
    expect(broken.reload()).toBe(true);
    TestBed.tick();
    expect(broken.resource.status()).toBe('loading');
    expect(broken.reload()).toBe(false);
    await waitFor(() => expect(broken.resource.status()).toBe('error'));
    expect(server.simulator.stats.executionsStarted).toBe(started + 1);
  });

  it('the plain rxResource recipe of the docs follows an execution too (its last event only)', async () => {
    const client = TestBed.inject(SmartFlowsClient);
    const started = await firstValueFrom(client.startExecution(flows.short.id, '<Letter/>'));
    const executionId = signal(started.id);
    const progress = TestBed.runInInjectionContext(() => rxResource({ params: () => executionId(), stream: ({ params }) => client.watch(params) }));
    await waitFor(() => expect(progress.value()?.type).toBe('output'));
    expect(progress.value()).toMatchObject({ type: 'output', executionId: started.id, progress: { status: 'Success' } });
  });
});
