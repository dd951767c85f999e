import { provideHttpClient, withFetch } from '@angular/common/http';
import { type ApplicationRef, ChangeDetectionStrategy, Component, destroyPlatform, type EnvironmentProviders, type Provider, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication, type BootstrapContext, provideClientHydration } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { executionResource, injectBatch, injectExecution, provideSmartFlows, type SmartFlowsFeature, withHttpClient, withServerRendering } from 'smart-flows-rx/angular';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
let server: SimulatorServer;

/** A run of a flow that waits for user input: on the server it would never end. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="status">{{ quote.status() ?? 'Starting' }}</span> <span class="pct">{{ quote.percentage() }} %</span>`,
})
class QuoteComponent {
  readonly quote = injectExecution({ flowId: flows.userInput.id, input: '<Quote/>' });
}

/** Follows an execution that exists, by the id the app found (the route's, here the first one started in the test). */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="status">{{ report.status() ?? 'Starting' }}</span> <span class="pct">{{ report.percentage() }} %</span> <span class="active">{{ report.isActive() }}</span>`,
})
class ReportComponent {
  readonly report = injectExecution({ executionId: watchedId });
}

/** A batch: on the server it must not start a job. */
@Component({ selector: 'app-root', template: `<span class="done">{{ batch.items().length }} jobs, {{ batch.percentage() }} %</span>` })
class BatchComponent {
  readonly batch = injectBatch([{ key: 'a', flowId: flows.short.id, input: '<Letter/>' }, { key: 'b', flowId: flows.long.id, input: '<Report/>' }]);
}

let watchedId = '';

/** The same run as a ResourceRef, and a watch of the id the test started. */
@Component({
  selector: 'app-root',
  template: `<span class="run">{{ quote.status() }} {{ quote.executionStatus() ?? 'Starting' }}</span> <span class="watch">{{ report.status() }} {{ report.executionStatus() }}</span>`,
})
class ResourceComponent {
  readonly quote = executionResource({ flowId: flows.userInput.id, input: '<Quote/>' });
  readonly report = executionResource({ executionId: watchedId });
}

let log: jest.SpiedFunction<typeof console.log>;

const providers = (...features: SmartFlowsFeature[]): (Provider | EnvironmentProviders)[] => [
  provideZonelessChangeDetection(),
  provideHttpClient(withFetch()),
  provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 200, maxIntervalMs: 400, idleIntervalMs: 400 } }, withHttpClient(), ...features),
];

/** Renders the component on the server platform, as `@angular/ssr` does for a request. */
function render(component: new () => unknown, ...features: SmartFlowsFeature[]): Promise<string> {
  return renderApplication((context: BootstrapContext) => bootstrapApplication(component, { providers: [...providers(...features), provideClientHydration(), provideServerRendering()] }, context), {
    document: '<html><head></head><body><app-root></app-root></body></html>',
    url: 'http://localhost/',
    allowedHosts: ['localhost'],
  });
}

/** Puts the server's page in this (jsdom) document, as the browser receives it. */
function receive(html: string): void {
  destroyPlatform();
  document.documentElement.innerHTML = html.replace(/^<!DOCTYPE html>/i, '').replace(/^<html[^>]*>|<\/html>$/g, '');
}

/** Requests the simulator received for one execution so far. */
const requestsFor = (executionId: string) => server.simulator.requests.filter((r) => r.path.includes(executionId)).length;
/** Starts a long flow on the simulator, as another tab or process would have. */
async function startReport(): Promise<string> {
  const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
  return (await firstValueFrom(client.startExecution(flows.long.id, '<Report/>'))).id;
}

describe('server-side rendering', () => {
  beforeAll(async () => {
    // The TestBed platform of the setup file: these tests bootstrap their own (server, then browser).
    destroyPlatform();
    // Angular's development-mode notes ("running in development mode", "hydrated 1 component").
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    server = await startSimulatorServer({ seed: 3 });
  });
  afterAll(() => {
    server.close();
    jest.restoreAllMocks();
  });
  afterEach(() => destroyPlatform());

  it('renders a run in its initial state on the server, sending nothing', async () => {
    const before = server.simulator.stats.executionsStarted;
    const requests = server.simulator.requests.length;
    const html = await render(QuoteComponent);
    expect(html).toContain('<span class="status">Starting</span>');
    expect(html).toContain('0 %');
    expect({ started: server.simulator.stats.executionsStarted - before, requests: server.simulator.requests.length - requests }).toEqual({ started: 0, requests: 0 });
  });

  it('starts the run once in the browser, after hydration, without hydration errors', async () => {
    const before = server.simulator.stats.executionsStarted;
    receive(await render(QuoteComponent));
    const errors = jest.spyOn(console, 'error');
    const warnings = jest.spyOn(console, 'warn');
    let app: ApplicationRef | undefined;
    try {
      app = await bootstrapApplication(QuoteComponent, { providers: [...providers(), provideClientHydration()] });
      const text = () => document.querySelector('.status')?.textContent;
      await waitFor(() => expect(text()).toBe('UserInput'));
      expect(server.simulator.stats.executionsStarted - before).toBe(1);
      expect([...errors.mock.calls, ...warnings.mock.calls].map(String)).toEqual([]);
      // Hydrated (the server's DOM taken over), not rendered anew.
      expect(log.mock.calls.map(String).some((line: string) => /Angular hydrated 1 component/.test(line))).toBe(true);
    } finally {
      app?.destroy();
      errors.mockRestore();
      warnings.mockRestore();
    }
  });

  it('renders a batch with no job started on the server', async () => {
    const before = server.simulator.stats.executionsStarted;
    const html = await render(BatchComponent, withServerRendering({ snapshot: true }));
    expect(html).toContain('0 jobs, 0 %');
    expect(server.simulator.stats.executionsStarted - before).toBe(0);
  });

  it('sends nothing for a watched execution by default: the page has the initial state', async () => {
    watchedId = await startReport();
    const html = await render(ReportComponent);
    expect(html).toContain('<span class="status">Starting</span>');
    expect(requestsFor(watchedId)).toBe(0);
    expect(html).not.toContain(`smart-flows-rx:progress`);
  });

  it('with withServerRendering({ snapshot: true }), renders one snapshot of a watched execution, which the browser shows before its first poll', async () => {
    watchedId = await startReport();
    const html = await render(ReportComponent, withServerRendering({ snapshot: true }));
    // One GET on the server, rendered and handed over in the page's TransferState.
    expect(requestsFor(watchedId)).toBe(1);
    expect(html).toContain('<span class="status">Running</span>');
    expect(html).toContain('<span class="active">false</span>');
    expect(html).toContain(`smart-flows-rx:progress:${watchedId.toLowerCase()}`);

    receive(html);
    let app: ApplicationRef | undefined;
    try {
      const bootstrapped = Date.now();
      app = await bootstrapApplication(ReportComponent, { providers: [...providers(withServerRendering({ snapshot: true })), provideClientHydration()] });
      const text = (selector: string) => document.querySelector(selector)?.textContent;
      await app.whenStable();
      // The browser shows the server's snapshot and follows it…
      expect(text('.status')).toBe('Running');
      expect(text('.active')).toBe('true');
      await waitFor(() => expect(requestsFor(watchedId)).toBeGreaterThan(2));
      // …without asking for it again: its first request is its first poll, one interval (200 ms) after the start.
      const browserFirst = server.simulator.requests.filter((r) => r.path.includes(watchedId))[1]!;
      expect(browserFirst.at - bootstrapped).toBeGreaterThanOrEqual(200);
    } finally {
      app?.destroy();
    }
  });

  it("executionResource renders on the server as injectExecution does: a run idle and not started, a watched execution's one snapshot", async () => {
    watchedId = await startReport();
    const before = server.simulator.stats.executionsStarted;
    const html = await render(ResourceComponent, withServerRendering({ snapshot: true }));
    expect(html).toContain('<span class="run">idle Starting</span>');
    expect(html).toContain('<span class="watch">idle Running</span>');
    expect(server.simulator.stats.executionsStarted - before).toBe(0);
    expect(requestsFor(watchedId)).toBe(1);
  });

  it('renders without the snapshot when the server does not answer in snapshotTimeoutMs', async () => {
    watchedId = await startReport();
    server.simulator.setFaults({ latencyMs: 5_000, routes: ['progress'] });
    try {
      const html = await render(ReportComponent, withServerRendering({ snapshot: true, snapshotTimeoutMs: 100 }));
      expect(html).toContain('<span class="status">Starting</span>');
      expect(html).not.toContain(`smart-flows-rx:progress`);
    } finally {
      server.simulator.setFaults(undefined);
    }
  });

  it('checks the options of withServerRendering()', () => {
    expect(() => withServerRendering({ snapshot: 'yes' as unknown as boolean })).toThrow(/snapshot must be true or false/);
    expect(() => withServerRendering({ snapshotTimeoutMs: 0 })).toThrow(/snapshotTimeoutMs must be a positive number/);
    expect(withServerRendering().kind).toBe('ServerRendering');
  });
});
