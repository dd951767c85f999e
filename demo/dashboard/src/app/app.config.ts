import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter } from '@angular/router';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { routes } from './app.routes';
import { DASHBOARD_CONFIG, type DashboardConfig } from './dashboard-config';
import { requestIdInterceptor } from './request-id.interceptor';

/**
 * The dashboard's providers: zoneless, the router, the app's HttpClient with its interceptor,
 * and the app's one Smart Flows client sending through that HttpClient.
 */
export function appConfig(config: DashboardConfig): ApplicationConfig {
  return {
    providers: [
      provideZonelessChangeDetection(),
      provideRouter(routes),
      provideHttpClient(withFetch(), withInterceptors([requestIdInterceptor])),
      // The API is proxied on this page's origin (`/api/v1`), so no CORS is needed.
      provideSmartFlows({ baseUrl: window.location.origin, apiKey: config.apiKey }, withHttpClient()),
      { provide: DASHBOARD_CONFIG, useValue: config },
    ],
  };
}
