import { provideHttpClient } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners, provideZoneChangeDetection } from '@angular/core';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';

/** What the server tells the app at start-up. */
export interface AppSettings {
  apiKey: string;
}

export function appConfig(settings: AppSettings): ApplicationConfig {
  return {
    providers: [
      // What `ng new` gives an Angular 20 app: zone.js change detection.
      provideBrowserGlobalErrorListeners(),
      provideZoneChangeDetection({ eventCoalescing: true }),
      provideHttpClient(),
      // The API is proxied on this page's origin (`/api/v1`), so no CORS is needed.
      provideSmartFlows({ baseUrl: window.location.origin, apiKey: settings.apiKey }, withHttpClient()),
    ],
  };
}
