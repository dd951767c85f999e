// smart-flows-rx/angular under `ng test` as Angular 21+ creates it: Vitest through
// @angular/build:unit-test, jsdom, zoneless TestBed. `describe`, `it`, `expect`, the hooks and
// `vi` are Vitest's globals (tsconfig.spec.json: "types": ["vitest/globals"]). The docs' printed
// examples are whole files beside this one (progress.spec.ts, fake-timers.spec.ts,
// letter-resource.ts, execution-progress.ts: spec/consumers/run.mjs checks each equals its block);
// this spec runs the simulator's msw handlers, and the two components against them.
import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { setupServer } from 'msw/node';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { builtInFlows, createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY } from 'smart-flows-rx/testing';
import { ExecutionProgress } from './execution-progress';
import { LetterResource } from './letter-resource';

const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

describe('against the simulator through its msw handlers', () => {
  const simulator = createSimulator();
  const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' }));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => simulator.resetStats());
  afterAll(() => server.close());

  beforeEach(() =>
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withFetch()),
        provideSmartFlows({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY, polling: { intervalMs: 20, maxIntervalMs: 100 } }, withHttpClient()),
      ],
    }),
  );

  it('shows a run to its end, with its document', async () => {
    const letter = TestBed.runInInjectionContext(() => injectExecution({ flowId: builtInFlows.short.id, input: '<Letter/>' }));
    await vi.waitFor(() => expect(letter.status()).toBe('Success'), { timeout: 10_000, interval: 20 });
    expect(letter.documents()).toHaveLength(1);
    expect(letter.value()?.status).toBe('Success');
    expect(simulator.stats.executionsStarted).toBe(1);
  });

  it("renders the docs' LetterResource: the run's progress as a Resource, then the letter", async () => {
    const fixture = TestBed.createComponent(LetterResource);
    fixture.componentRef.setInput('flowId', builtInFlows.short.id);
    fixture.autoDetectChanges();
    const text = () => ((fixture.nativeElement as HTMLElement).textContent ?? '').replace(/\s+/g, ' ').trim();
    const seen = new Set<string>();
    await until(() => {
      seen.add(text());
      expect(text()).toMatch(/^Letter [0-9a-f-]{36}: Success, 1 document\(s\)$/);
    });
    expect([...seen].some((t) => /^Running \d+ % \(loading\) Cancel$/.test(t))).toBe(true);
    expect(simulator.stats.executionsStarted).toBe(1);
  });

  it("the docs' LetterResource shows a failed run's error, and its button runs the flow again", async () => {
    const fixture = TestBed.createComponent(LetterResource);
    fixture.componentRef.setInput('flowId', builtInFlows.error.id);
    fixture.autoDetectChanges();
    const element = fixture.nativeElement as HTMLElement;
    await until(() => expect(element.querySelector('[role="alert"]')?.textContent).toMatch(/\S/));
    element.querySelector('button')!.click();
    await until(() => expect(simulator.stats.executionsStarted).toBe(2));
    await until(() => expect(element.querySelector('[role="alert"]')).not.toBeNull());
  });

  it("the docs' plain rxResource recipe (ExecutionProgress) follows an execution to its end", async () => {
    const started = await firstValueFrom(TestBed.inject(SmartFlowsClient).startExecution(builtInFlows.short.id, '<Letter/>'));
    const fixture = TestBed.createComponent(ExecutionProgress);
    fixture.componentRef.setInput('executionId', started.id);
    fixture.autoDetectChanges();
    const text = () => ((fixture.nativeElement as HTMLElement).textContent ?? '').trim();
    await until(() => expect(text()).toBe('Success 100 %'));
    expect(fixture.componentInstance.progress.value()?.type).toBe('output');
  });
});
