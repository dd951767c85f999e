import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig, type AppSettings } from './app/app.config';

// The options come from the server at start-up (docs/angular.md: fetch them before
// bootstrapApplication); here, the key of the simulator that the test serves beside the app.
fetch('/app-settings.json')
  .then((response) => (response.ok ? (response.json() as Promise<AppSettings>) : Promise.reject(new Error(`settings: HTTP ${response.status}`))))
  .then((settings) => bootstrapApplication(App, appConfig(settings)))
  .catch((error: unknown) => {
    document.body.textContent = `The app could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error(error);
  });
