import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { DASHBOARD_CONFIG, type DashboardConfig } from './app/dashboard-config';
import { provideSmartFlows } from './app/smart-flows.service';

// The server beside the simulator says which flows to run and which key to use; the API
// itself is proxied on this page's origin (`/api/v1`), so no CORS is needed.
fetch('/dashboard-config.json')
  .then((response) => (response.ok ? (response.json() as Promise<DashboardConfig>) : Promise.reject(new Error(`config: HTTP ${response.status}`))))
  .then((config) =>
    bootstrapApplication(AppComponent, {
      providers: [
        provideZonelessChangeDetection(),
        provideSmartFlows({ baseUrl: window.location.origin, apiKey: config.apiKey }),
        { provide: DASHBOARD_CONFIG, useValue: config },
      ],
    }),
  )
  .catch((error: unknown) => {
    document.body.textContent = `The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error(error);
  });
