import { AsyncPipe } from '@angular/common';
import { Component, inject, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom, last, lastValueFrom, take, tap, toArray } from 'rxjs';
import { type ExecutionEvent, FlowExecutionError, findDocuments } from 'smart-flows-rx';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { provideSmartFlows, SMART_FLOWS_OPTIONS, SmartFlowsService } from './smart-flows.service';
import { UserInputFormComponent } from './user-input-form.component';

/** The pattern the README recommends: a stream from the service, shown with the async pipe. */
@Component({
  imports: [AsyncPipe],
  template: `@if (run$ | async; as event) {<span class="status">{{ event.progress.status }}</span> {{ event.progress.percentage }} %}`,
})
class ProgressHostComponent {
  readonly run$ = inject(SmartFlowsService).run(builtInFlows.long.id, '<Report/>');
}

/** Runs `check` until it stops throwing, every 50 ms for up to 5 s, then rethrows its last failure. */
async function waitFor(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (failure) {
      if (Date.now() >= deadline) throw failure;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SmartFlowsService', () => {
  let server: SimulatorServer;

  beforeAll(async () => {
    server = await startSimulatorServer({ seed: 7 });
  });
  afterAll(() => server.close());

  beforeEach(() => {
    server.simulator.resetStats();
    TestBed.configureTestingModule({
      providers: [provideZonelessChangeDetection(), provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 50, maxIntervalMs: 200 } })],
    });
  });

  it('is provided in root and built from the SMART_FLOWS_OPTIONS token', () => {
    const flows = TestBed.inject(SmartFlowsService);
    expect(flows).toBe(TestBed.inject(SmartFlowsService));
    expect(TestBed.inject(SMART_FLOWS_OPTIONS).baseUrl).toBe(server.url);
    expect(flows.client.options.apiRoot).toBe(`${server.url}/api/v1`);
  });

  it('runs a flow: progress events, then one output event with the documents', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    const events = await lastValueFrom(flows.run(builtInFlows.short.id, '<Letter/>').pipe(toArray()));

    expect(events[0]?.type).toBe('progress');
    const output = events.at(-1) as Extract<ExecutionEvent, { type: 'output' }>;
    expect(output.type).toBe('output');
    expect(output.execution.status).toBe('Success');
    const [letter] = findDocuments(output.progress);
    const file = await firstValueFrom(flows.downloadDocument(letter!.id));
    expect(file.fileName).toBe('Letter.pdf');
    expect(new TextDecoder().decode(file.data).startsWith('%PDF-')).toBe(true);
  });

  it('runs a batch: snapshots in job order, the last one done', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    const jobs = [
      { key: 'a', flowId: builtInFlows.short.id, input: '<A/>' },
      { key: 'b', flowId: builtInFlows.error.id, input: '<B/>' },
      { key: 'c', flowId: builtInFlows.warning.id, input: '<C/>' },
    ];
    const final = await lastValueFrom(flows.runBatch(jobs, { concurrency: 2 }));

    expect(final).toMatchObject({ total: 3, succeeded: 2, failed: 1, queued: 0, running: 0, done: true, percentage: 100 });
    expect(final.items.map((i) => [i.key, i.state])).toEqual([['a', 'succeeded'], ['b', 'failed'], ['c', 'succeeded']]);
    expect(server.simulator.stats.maxConcurrentExecutions).toBeLessThanOrEqual(2);
  });

  it('answers a form: the stream waits in UserInput, then goes on to the output', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    let answered = false;
    const events = await new Promise<ExecutionEvent[]>((resolve, reject) => {
      const seen: ExecutionEvent[] = [];
      flows.run(builtInFlows.userInput.id, '<Quote/>').subscribe({
        next: (event) => {
          seen.push(event);
          if (event.progress.status === 'UserInput' && !answered) {
            answered = true;
            flows.submitUserInput(event.executionId, { approved: true, comment: 'fine' }).subscribe({ error: reject });
          }
        },
        error: reject,
        complete: () => resolve(seen),
      });
    });

    expect(events.map((e) => e.progress.status)).toContain('UserInput');
    expect(events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(server.simulator.stats.byRoute.userInput).toBe(1);
  });

  it('cancels: the run ends with FlowExecutionError in Canceled, naming the execution', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    const error = await new Promise<unknown>((resolve) => {
      let cancelled = false;
      flows.run(builtInFlows.long.id, '<Report/>').subscribe({
        next: (event) => {
          if (event.progress.status === 'Running' && !cancelled) {
            cancelled = true;
            flows.cancel(event.executionId).subscribe();
          }
        },
        error: resolve,
        complete: () => resolve(new Error('completed instead of erroring')),
      });
    });

    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status: 'Canceled', executionId: expect.any(String) });
  });

  it('stops polling once the subscriber leaves (the async pipe, takeUntilDestroyed)', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    const first = await firstValueFrom(flows.run(builtInFlows.long.id, '<Report/>').pipe(take(2), last()));
    const before = server.simulator.stats.byRoute.progress;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.simulator.stats.byRoute.progress).toBe(before);
    expect(first.executionId).toBeTruthy();
  });

  it('drives a component: the async pipe shows progress, and destroying the component stops polling', async () => {
    const fixture = TestBed.createComponent(ProgressHostComponent);
    await waitFor(() => {
      fixture.detectChanges();
      expect(fixture.nativeElement.textContent).toContain('Running');
    });
    fixture.destroy();
    const before = server.simulator.stats.byRoute.progress;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.simulator.stats.byRoute.progress).toBe(before);
  });

  it('renders the UserInput form from the progress and submits what was filled in', async () => {
    const flows = TestBed.inject(SmartFlowsService);
    let resolveAsking: (event: ExecutionEvent) => void;
    const asking = new Promise<ExecutionEvent>((resolve) => (resolveAsking = resolve));
    const finished = lastValueFrom(flows.run(builtInFlows.userInput.id, '<Quote/>').pipe(tap((e) => e.progress.status === 'UserInput' && resolveAsking(e))));
    const event = await asking;

    const fixture = TestBed.createComponent(UserInputFormComponent);
    fixture.componentRef.setInput('executionId', event.executionId);
    fixture.componentRef.setInput('progress', event.progress);
    fixture.detectChanges();
    const form: HTMLFormElement = fixture.nativeElement.querySelector('form');
    const approved = form.querySelector<HTMLInputElement>('input[name="approved"]')!;
    const comment = form.querySelector<HTMLInputElement>('input[name="comment"]')!;
    expect(approved.type).toBe('checkbox');
    approved.click();
    comment.value = 'Looks right';
    comment.dispatchEvent(new Event('input'));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();

    const output = await finished;
    expect(output).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(output.progress.model).toMatchObject({ approved: true, comment: 'Looks right' });
  });

  it('tells what is missing when SMART_FLOWS_OPTIONS is not provided', () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
    expect(() => TestBed.inject(SmartFlowsService)).toThrow(/SMART_FLOWS_OPTIONS/);
  });
});
