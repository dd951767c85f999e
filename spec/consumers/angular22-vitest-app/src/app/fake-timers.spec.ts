// fake-timers.spec.ts (Vitest): an execution followed poll by poll, each poll one advanceTimersByTimeAsync away.
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';

const ID = '7d0c1c55-2f4b-4c47-9d61-0d5d7c1c0a11';

beforeEach(() => {
  vi.useFakeTimers();
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(),
      provideHttpClientTesting(),
      provideSmartFlows({ baseUrl: 'https://flows.example.com', apiKey: 'test' }, withHttpClient()),
    ],
  });
});
afterEach(() => vi.useRealTimers());

it('follows an execution poll by poll with fake timers', async () => {
  const http = TestBed.inject(HttpTestingController);
  const report = TestBed.runInInjectionContext(() => injectExecution({ executionId: ID }));
  const progress = () => http.expectOne((r) => r.url.includes(`/executions/${ID}/progress`));
  TestBed.tick();
  await vi.advanceTimersByTimeAsync(0);
  progress().flush({ id: ID, status: 'Running', percentage: 40, message: 'Render PDF' });
  await vi.advanceTimersByTimeAsync(0);
  expect([report.status(), report.percentage(), report.message()]).toEqual(['Running', 40, 'Render PDF']);

  // Nothing until the next poll (the client's polling.intervalMs, 900 ms by default)…
  await vi.advanceTimersByTimeAsync(800);
  http.expectNone((r) => r.url.includes('/progress'));
  // …then one request.
  await vi.advanceTimersByTimeAsync(200);
  progress().flush({ id: ID, status: 'Success', percentage: 100, message: '' });
  await vi.advanceTimersByTimeAsync(0);
  http.expectOne((r) => r.url.endsWith(`/executions/${ID}`)).flush({ id: ID, status: 'Success' });
  await vi.advanceTimersByTimeAsync(0);
  expect([report.status(), report.isActive(), report.output()?.status]).toEqual(['Success', false, 'Success']);
  http.verify();
});
