import {
  type EnvironmentProviders,
  InjectionToken,
  type Provider,
  inject,
  makeEnvironmentProviders,
  provideEnvironmentInitializer,
} from '@angular/core';
import { type FetchLike, SmartFlowsClient, type SmartFlowsClientOptions, SmartFlowsInputError } from 'smart-flows-rx';

/** What a feature of {@link provideSmartFlows} is called (`withHttpClient()` gives `'HttpClient'`, `withServerRendering()` `'ServerRendering'`). */
export type SmartFlowsFeatureKind = 'HttpClient' | 'ServerRendering';

/** A feature for {@link provideSmartFlows}, made by a `withX()` function such as `withHttpClient()`. */
export interface SmartFlowsFeature<K extends SmartFlowsFeatureKind = SmartFlowsFeatureKind> {
  /** Which feature this is. */
  readonly kind: K;
  /** The providers the feature adds to the app's environment. */
  readonly providers: Provider[];
}

/** @internal The fetch a feature supplies to the app's client (`withHttpClient()`). */
export const SMART_FLOWS_FETCH = new InjectionToken<FetchLike>('SMART_FLOWS_FETCH');

/**
 * Provides the app's one {@link SmartFlowsClient}: afterwards `inject(SmartFlowsClient)` gives it,
 * and `injectExecution` / `injectBatch` use it. The client is built while the injector is created
 * (at bootstrap for the app's providers), so bad options fail there with `SmartFlowsInputError`.
 *
 * @param options - the client's options, or a factory run in an injection context (it may
 *   `inject()` an auth service; `bearerToken` may be a function asked before each request)
 * @param features - `withHttpClient()` sends every request through the app's `HttpClient`;
 *   `withServerRendering()` says what the server may read while it renders a page
 * @returns providers for `bootstrapApplication`, `ApplicationConfig.providers` or a route's `providers`
 * @example
 * // app.config.ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideZonelessChangeDetection(),
 *     provideHttpClient(withInterceptors([authInterceptor])),
 *     provideSmartFlows(() => ({ baseUrl: environment.flowsUrl, bearerToken: inject(Auth).token }), withHttpClient()),
 *   ],
 * };
 */
export function provideSmartFlows(
  options: SmartFlowsClientOptions | (() => SmartFlowsClientOptions),
  ...features: SmartFlowsFeature[]
): EnvironmentProviders {
  return makeEnvironmentProviders([
    ...features.flatMap((feature) => feature.providers),
    { provide: SmartFlowsClient, useFactory: () => createClient(typeof options === 'function' ? options() : options) },
    // Built eagerly: a wrong baseUrl or key fails at bootstrap, not at the first click.
    provideEnvironmentInitializer(() => inject(SmartFlowsClient)),
  ]);
}

function createClient(options: SmartFlowsClientOptions): SmartFlowsClient {
  const fetch = inject(SMART_FLOWS_FETCH, { optional: true });
  if (!fetch) return new SmartFlowsClient(options);
  if (typeof options === 'object' && options !== null && options.fetch !== undefined) {
    throw new SmartFlowsInputError('fetch and withHttpClient() both say how to send requests: give only one');
  }
  return new SmartFlowsClient({ ...options, fetch });
}
