// The outside review's attacks on server rendering and hydration (issue 26): two watchers of one
// execution (S2, found), and what held (a 404 snapshot, an ended execution, the guide's template).
import { provideHttpClient, withFetch } from '@angular/common/http';
import { type ApplicationRef, Component, destroyPlatform, type EnvironmentProviders, type Provider, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication, type BootstrapContext, provideClientHydration } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { executionResource, injectExecution, provideSmartFlows, type SmartFlowsFeature, withHttpClient, withServerRendering } from 'smart-flows-rx/angular';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
let server: SimulatorServer;
let watchedId = '';

@Component({
  selector: 'app-root',
  template: `<span class="a">{{ a.status() }} {{ a.executionStatus() }} {{ a.percentage() }}</span> <span class="b">{{ b.status() }} {{ b.executionStatus() }}</span>`,
})
class TwoWatchers {
  readonly a = executionResource({ executionId: watchedId });
  readonly b = executionResource({ executionId: watchedId });
}

@Component({
  selector: 'app-root',
  template: `<span class="a">{{ a.status() }} {{ a.executionStatus() }} {{ a.hasValue() }}</span>`,
})
class OneWatcher {
  readonly a = executionResource({ executionId: watchedId });
}

@Component({
  selector: 'app-root',
  template: `<progress [value]="r.percentage()" max="100"></progress>
    {{ r.status() ?? 'Starting' }} — {{ r.message() }}
    @if (r.isActive() && r.executionId()) { <button class="cancel">Cancel</button> }
    @if (r.error(); as error) { <p role="alert">{{ error }}</p> }
    @if (r.hasValue()) { <p class="done">{{ r.output()?.id }}</p> }`,
})
class DocsWatch {
  readonly r = injectExecution({ executionId: watchedId });
}

const providers = (...features: SmartFlowsFeature[]): (Provider | EnvironmentProviders)[] => [
  provideZonelessChangeDetection(),
  provideHttpClient(withFetch()),
  provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 300, maxIntervalMs: 400, idleIntervalMs: 400 } }, withHttpClient(), ...features),
];
function render(component: new () => unknown, ...features: SmartFlowsFeature[]): Promise<string> {
  return renderApplication((context: BootstrapContext) => bootstrapApplication(component, { providers: [...providers(...features), provideClientHydration(), provideServerRendering()] }, context), {
    document: '<html><head></head><body><app-root></app-root></body></html>',
    url: 'http://localhost/',
    allowedHosts: ['localhost'],
  });
}
function receive(html: string): void {
  destroyPlatform();
  document.documentElement.innerHTML = html.replace(/^<!DOCTYPE html>/i, '').replace(/^<html[^>]*>|<\/html>$/g, '');
}
const reqs = (id: string) => server.simulator.requests.filter((r) => r.path.includes(id));
async function start(flowId: string): Promise<string> {
  const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
  return (await firstValueFrom(client.startExecution(flowId, '<Report/>'))).id;
}

describe('server rendering under attack', () => {
  beforeAll(async () => {
    destroyPlatform();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    server = await startSimulatorServer({ seed: 7 });
  });
  afterAll(() => {
    server.close();
    jest.restoreAllMocks();
  });
  afterEach(() => destroyPlatform());

  it('an executionId that 404s on the server: the render finishes fast, without a snapshot, and the key is not in the page', async () => {
    watchedId = '0b0b0b0b-0000-4000-8000-00000000dead';
    const t0 = Date.now();
    const html = await render(OneWatcher, withServerRendering({ snapshot: true }));
    const ms = Date.now() - t0;
    console.info(`S1 render took ${ms} ms; requests for the id: ${reqs(watchedId).map((r) => r.status).join(',')}; page: ${/<span class="a">[^<]*<\/span>/.exec(html)?.[0]}`);
    expect(ms).toBeLessThan(1000);
    expect(html).not.toContain(server.apiKey);
    expect(html).not.toContain('smart-flows-rx:progress');
  });

  it('two components watching the same execution share one server GET and the snapshot: no browser request before the first poll', async () => {
    watchedId = await start(flows.long.id);
    const html = await render(TwoWatchers, withServerRendering({ snapshot: true }));
    const serverGets = reqs(watchedId).length;
    console.info(`S2 server GETs: ${serverGets}; page: ${/<span class="a">[^<]*<\/span> <span class="b">[^<]*<\/span>/.exec(html)?.[0]}`);
    receive(html);
    let app: ApplicationRef | undefined;
    try {
      const t0 = Date.now();
      app = await bootstrapApplication(TwoWatchers, { providers: [...providers(withServerRendering({ snapshot: true })), provideClientHydration()] });
      await waitFor(() => expect(reqs(watchedId).length).toBeGreaterThan(serverGets + 1));
      const browser = reqs(watchedId).slice(serverGets).map((r) => r.at - t0);
      console.info(`S2 browser requests at (ms after bootstrap): ${browser.join(', ')}; a: ${document.querySelector('.a')?.textContent} b: ${document.querySelector('.b')?.textContent}`);
      expect(serverGets).toBe(1);
      expect(Math.min(...browser)).toBeGreaterThanOrEqual(300);
    } finally {
      app?.destroy();
    }
  });

  it('a snapshot of an execution already ended in Success renders resolved on the server (its output with it), and the browser shows it at once without a request', async () => {
    watchedId = await start(flows.short.id);
    const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
    for (let i = 0; i < 50 && (await firstValueFrom(client.getProgress(watchedId))).status !== 'Success'; i++) await new Promise((r) => setTimeout(r, 100));
    const html = await render(OneWatcher, withServerRendering({ snapshot: true }));
    const page = /<span class="a">([^<]*)<\/span>/.exec(html)?.[1];
    const serverGets = reqs(watchedId).length;
    receive(html);
    let app: ApplicationRef | undefined;
    try {
      app = await bootstrapApplication(OneWatcher, { providers: [...providers(withServerRendering({ snapshot: true })), provideClientHydration()] });
      const seen: string[] = [];
      let last: string | undefined;
      const t0 = Date.now();
      await waitFor(() => {
        const t = document.querySelector('.a')?.textContent ?? '';
        if (last !== t) seen.push(`${Date.now() - t0}ms:${t}`);
        last = t;
        expect(t).toMatch(/^resolved/);
      });
      // Past the first poll interval (300 ms): an ended execution needs no request from the browser.
      await new Promise((resolve) => setTimeout(resolve, 600));
      console.info(`S3 server page: "${page}"; server GETs ${serverGets}; browser: ${seen.join(' → ')}; browser requests: ${reqs(watchedId).length - serverGets}`);
      expect(page).toBe('resolved Success true');
      expect(seen).toEqual([expect.stringMatching(/^\d+ms:resolved Success true$/)]);
      expect(reqs(watchedId).length).toBe(serverGets);
    } finally {
      app?.destroy();
    }
  });

  it('the guide\'s injectExecution template over a snapshot hydrates without errors or warnings', async () => {
    watchedId = await start(flows.long.id);
    const html = await render(DocsWatch, withServerRendering({ snapshot: true }));
    receive(html);
    const errors = jest.spyOn(console, 'error');
    const warnings = jest.spyOn(console, 'warn');
    let app: ApplicationRef | undefined;
    try {
      app = await bootstrapApplication(DocsWatch, { providers: [...providers(withServerRendering({ snapshot: true })), provideClientHydration()] });
      await waitFor(() => expect(document.querySelector('.cancel')).not.toBeNull());
      console.info(`S5 body: ${document.body.innerHTML.replace(/\s+/g, ' ').slice(0, 400)}`);
      expect([...errors.mock.calls, ...warnings.mock.calls].map(String)).toEqual([]);
    } finally {
      app?.destroy();
      errors.mockRestore();
      warnings.mockRestore();
    }
  });

  it('a browser app with snapshot: false still takes the server\'s snapshot: its first request is its first poll', async () => {
    watchedId = await start(flows.long.id);
    const html = await render(OneWatcher, withServerRendering({ snapshot: true }));
    const serverGets = reqs(watchedId).length;
    receive(html);
    let app: ApplicationRef | undefined;
    try {
      const t0 = Date.now();
      app = await bootstrapApplication(OneWatcher, { providers: [...providers(withServerRendering({ snapshot: false })), provideClientHydration()] });
      await waitFor(() => expect(reqs(watchedId).length).toBeGreaterThan(serverGets));
      console.info(`S4 first browser request at ${reqs(watchedId)[serverGets]!.at - t0} ms; page shows ${document.querySelector('.a')?.textContent}`);
      expect(reqs(watchedId)[serverGets]!.at - t0).toBeGreaterThanOrEqual(300);
    } finally {
      app?.destroy();
    }
  });
});
