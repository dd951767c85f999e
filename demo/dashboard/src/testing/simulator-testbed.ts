import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';

/**
 * For a `describe` block: starts the simulator's HTTP server (`seed`) once, and gives each test a
 * zoneless TestBed whose client goes through HttpClient (fetch) and polls fast (20–100 ms).
 * @returns a holder of the running server (`.server`, set before the first test)
 */
export function useSimulatorTestBed(seed: number): { readonly server: SimulatorServer } {
  const holder = {} as { server: SimulatorServer };
  beforeAll(async () => {
    holder.server = await startSimulatorServer({ seed });
  });
  afterAll(() => holder.server.close());
  beforeEach(() => {
    const { server } = holder;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withFetch()),
        provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 20, maxIntervalMs: 100, idleIntervalMs: 100 } }, withHttpClient()),
      ],
    });
  });
  return holder;
}
