// smart-flows-rx/angular under `ng test` as Angular 21+ creates it: Vitest through
// @angular/build:unit-test, jsdom, zoneless TestBed. `describe`, `it`, `expect`, the hooks and
// `vi` are Vitest's globals (tsconfig.spec.json: "types": ["vitest/globals"]).
import { provideHttpClient, withFetch } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { setupServer } from 'msw/node';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { builtInFlows, createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY } from 'smart-flows-rx/testing';

const ID = '7d0c1c55-2f4b-4c47-9d61-0d5d7c1c0a11';

describe('with HttpTestingController (the example of docs/angular.md)', () => {
  beforeEach(() =>
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideSmartFlows({ baseUrl: 'https://flows.example.com', apiKey: 'test' }, withHttpClient()),
      ],
    }),
  );

  it('reads the progress', async () => {
    const progress = firstValueFrom(TestBed.inject(SmartFlowsClient).getProgress(ID));
    const http = TestBed.inject(HttpTestingController);
    await new Promise((resolve) => setTimeout(resolve));
    // The progress URL carries a query (`?timeout=…`): match its path with includes, not endsWith.
    http.expectOne((r) => r.url.includes(`/executions/${ID}/progress`)).flush({ id: ID, status: 'Running', percentage: 40, message: '' });
    expect(await progress).toMatchObject({ status: 'Running', percentage: 40 });
  });

  it('follows an execution poll by poll with fake timers', async () => {
    vi.useFakeTimers();
    try {
      const http = TestBed.inject(HttpTestingController);
      const report = TestBed.runInInjectionContext(() => injectExecution({ executionId: ID }));
      const progress = () => http.expectOne((r) => r.url.includes(`/executions/${ID}/progress`));
      TestBed.tick();
      await vi.advanceTimersByTimeAsync(0);
      progress().flush({ id: ID, status: 'Running', percentage: 40, message: 'Render PDF' });
      await vi.advanceTimersByTimeAsync(0);
      expect([report.status(), report.percentage(), report.message()]).toEqual(['Running', 40, 'Render PDF']);

      // Nothing until the next poll (the client's default interval, 900 ms)…
      await vi.advanceTimersByTimeAsync(800);
      http.expectNone((r) => r.url.includes('/progress'));
      // …then one request.
      await vi.advanceTimersByTimeAsync(200);
      progress().flush({ id: ID, status: 'Success', percentage: 100, message: '' });
      await vi.advanceTimersByTimeAsync(0);
      http.expectOne((r) => r.url.endsWith(`/executions/${ID}`)).flush({ id: ID, status: 'Success' });
      await vi.advanceTimersByTimeAsync(0);
      expect([report.status(), report.isActive(), report.hasValue(), report.resource.status()]).toEqual(['Success', false, true, 'resolved']);
      http.verify();
    } finally {
      vi.useRealTimers();
    }
  });
});

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
});
