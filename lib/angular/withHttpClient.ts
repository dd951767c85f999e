import { HttpClient } from '@angular/common/http';
import { inject } from '@angular/core';
import { httpClientFetch } from './httpClientFetch';
import { SMART_FLOWS_FETCH, type SmartFlowsFeature } from './provideSmartFlows';

/**
 * Sends every request of the app's client through Angular's `HttpClient`: interceptors registered
 * with `provideHttpClient(withInterceptors([...]))` apply (auth headers, logging, error toasts),
 * and `HttpTestingController` answers them in tests. Unsubscribing cancels the HttpClient request;
 * the library's own retries, Retry-After, timeouts, redaction and error classes work as with fetch.
 * Needs `provideHttpClient()` in the same or a parent injector.
 *
 * @returns a feature for {@link provideSmartFlows}
 * @example
 * providers: [
 *   provideHttpClient(withFetch(), withInterceptors([requestIdInterceptor])),
 *   provideSmartFlows({ baseUrl: 'https://flows.example.com', bearerToken }, withHttpClient()),
 * ]
 */
export function withHttpClient(): SmartFlowsFeature<'HttpClient'> {
  return {
    kind: 'HttpClient',
    providers: [{ provide: SMART_FLOWS_FETCH, useFactory: () => httpClientFetch(inject(HttpClient)) }],
  };
}
