import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import type { DashboardConfig } from './app/dashboard-config';

// The server beside the simulator says which flows to run and which key to use.
fetch('/dashboard-config.json')
  .then((response) => (response.ok ? (response.json() as Promise<DashboardConfig>) : Promise.reject(new Error(`config: HTTP ${response.status}`))))
  .then((config) => bootstrapApplication(AppComponent, appConfig(config)))
  .catch((error: unknown) => {
    document.body.textContent = `The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error(error);
  });
