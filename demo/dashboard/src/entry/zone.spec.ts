// zone.js first, as an app that uses it loads it (its polyfill patches timers and promises).
import 'zone.js';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { type ApplicationRef, Component, destroyPlatform, NgZone, provideZoneChangeDetection } from '@angular/core';
import { bootstrapApplication, type BootstrapContext, createApplication, provideClientHydration } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
let server: SimulatorServer;

/** How long an app may take to become stable: far more than a render or one request takes here. */
const STABLE_WITHIN_MS = 3_000;

@Component({ selector: 'app-root', template: `<span class="status">{{ quote.status() ?? 'Starting' }}</span>` })
class QuoteComponent {
  readonly quote = injectExecution({ flowId: flows.userInput.id, input: '<Quote/>' });
}

const providers = () => [
  provideZoneChangeDetection(),
  provideHttpClient(withFetch()),
  provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 20, maxIntervalMs: 100, idleIntervalMs: 100 } }, withHttpClient()),
];

/** The first `true` of `isStable`, or a TimeoutError after {@link STABLE_WITHIN_MS}. */
const stable = (app: ApplicationRef) => firstValueFrom(app.isStable.pipe(filter(Boolean), timeout(STABLE_WITHIN_MS)));

describe('under zone.js', () => {
  beforeAll(async () => {
    // The TestBed platform of the setup file (zoneless): these tests bootstrap their own.
    destroyPlatform();
    // Angular's development-mode notes ("running in development mode", "hydrated 1 component").
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    server = await startSimulatorServer({ seed: 4 });
  });
  afterAll(() => {
    server.close();
    jest.restoreAllMocks();
  });
  afterEach(() => {
    destroyPlatform();
    // Set by a server render until its platform is destroyed (a render that never ended leaves it).
    (globalThis as { ngServerMode?: boolean }).ngServerMode = undefined;
  });

  it('runs with zone.js loaded and a real NgZone', async () => {
    expect(typeof (globalThis as { Zone?: unknown }).Zone).toBe('function');
    const app = await createApplication({ providers: providers() });
    try {
      // A real zone (a zoneless app's NoopNgZone only implements NgZone's interface).
      expect(app.injector.get(NgZone) instanceof NgZone).toBe(true);
      expect(NgZone.isInAngularZone()).toBe(false);
    } finally {
      app.destroy();
    }
  });

  it('renders on the server promptly, even for a flow that waits for user input', async () => {
    const before = server.simulator.stats.executionsStarted;
    const rendered = renderApplication((context: BootstrapContext) => bootstrapApplication(QuoteComponent, { providers: [...providers(), provideClientHydration(), provideServerRendering()] }, context), {
      document: '<html><head></head><body><app-root></app-root></body></html>',
      url: 'http://localhost/',
      allowedHosts: ['localhost'],
    });
    const html = await within(rendered);
    expect(html).toContain('<span class="status">Starting</span>');
    expect(server.simulator.stats.executionsStarted - before).toBe(0);
  });

  it('keeps a browser app stable between polls while a flow runs (ApplicationRef.isStable)', async () => {
    const app = await createApplication({ providers: providers() });
    try {
      const report = app.injector.get(NgZone).run(() => injectExecution({ flowId: flows.long.id, input: '<Report/>' }, { injector: app.injector }));
      await waitFor(() => expect(report.status()).toBe('Running'));
      const polls = server.simulator.stats.byRoute.progress ?? 0;
      await expect(stable(app)).resolves.toBe(true);
      expect(report.isActive()).toBe(true);
      // Still polling, and the signals still follow it (set inside the zone: the view updates).
      await waitFor(() => expect(server.simulator.stats.byRoute.progress ?? 0).toBeGreaterThan(polls + 2));
      expect(report.isActive()).toBe(true);
    } finally {
      app.destroy();
    }
  });
});

/** The promise's value, or a failure after {@link STABLE_WITHIN_MS}. */
function within<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not rendered after ${STABLE_WITHIN_MS} ms`)), STABLE_WITHIN_MS);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
