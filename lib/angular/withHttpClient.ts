import { isPlatformBrowser } from '@angular/common';
import { HttpBackend, HttpClient, HttpXhrBackend } from '@angular/common/http';
import { inject, PLATFORM_ID } from '@angular/core';
import { SmartFlowsInputError } from 'smart-flows-rx';
import { httpClientFetch } from './httpClientFetch';
import { SMART_FLOWS_FETCH, type SmartFlowsFeature } from './provideSmartFlows';

/**
 * Sends every request of the app's client through Angular's `HttpClient`: interceptors registered
 * with `provideHttpClient(withInterceptors([...]))` apply (auth headers, logging, error toasts),
 * and `HttpTestingController` answers them in tests. Unsubscribing cancels the HttpClient request;
 * the library's own retries, Retry-After, timeouts, redaction and error classes work as with fetch.
 * Needs `provideHttpClient()` in the same or a parent injector.
 *
 * Redirects: with `withFetch()` the client follows them itself, dropping the API key or token
 * when the origin changes. The XHR backend (`provideHttpClient()` without `withFetch()`) cannot
 * be told not to follow: in a browser CORS decides whether the key may go to another origin;
 * outside a browser (server-side rendering) nothing would, so there it is refused at bootstrap
 * with `SmartFlowsInputError`: use `provideHttpClient(withFetch())`.
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
    providers: [{ provide: SMART_FLOWS_FETCH, useFactory: sendThroughHttpClient }],
  };
}

/** The fetch on the app's HttpClient, told whether its backend follows redirects on its own. */
function sendThroughHttpClient() {
  // HttpClient first: without provideHttpClient() the error names it, as before.
  const http = inject(HttpClient);
  const backendFollowsRedirects = inject(HttpBackend) instanceof HttpXhrBackend;
  if (backendFollowsRedirects && !isPlatformBrowser(inject(PLATFORM_ID))) {
    throw new SmartFlowsInputError(
      'withHttpClient() outside a browser needs provideHttpClient(withFetch()): the XHR backend follows a redirect to any host with the API key or token',
    );
  }
  return httpClientFetch(http, { backendFollowsRedirects });
}
