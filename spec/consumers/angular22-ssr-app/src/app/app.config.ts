import { isPlatformBrowser } from '@angular/common';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { type ApplicationConfig, inject, PLATFORM_ID, provideBrowserGlobalErrorListeners, provideZoneChangeDetection, REQUEST } from '@angular/core';
import { provideClientHydration } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { provideSmartFlows, withHttpClient, withServerRendering } from 'smart-flows-rx/angular';
import { routes } from './app.routes';
import { API_KEY, POLL_INTERVAL_MS } from './flows';

/** The page's own origin: its server proxies /api/ to Smart Flows (here the simulator). */
function origin(): string {
  if (isPlatformBrowser(inject(PLATFORM_ID))) return window.location.origin;
  return new URL(inject(REQUEST)?.url ?? 'http://127.0.0.1/').origin;
}

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideRouter(routes),
    provideClientHydration(),
    provideHttpClient(withFetch()),
    provideSmartFlows(
      () => ({ baseUrl: origin(), apiKey: API_KEY, polling: { intervalMs: POLL_INTERVAL_MS, maxIntervalMs: POLL_INTERVAL_MS } }),
      withHttpClient(),
      withServerRendering({ snapshot: true }),
    ),
  ],
};
