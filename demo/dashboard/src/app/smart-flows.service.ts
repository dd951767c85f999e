import { type EnvironmentProviders, Injectable, InjectionToken, inject, makeEnvironmentProviders } from '@angular/core';
import {
  type BatchJob,
  type BatchOptions,
  type BatchSnapshot,
  type DownloadedDocument,
  type ExecutionEvent,
  type FlowInput,
  type FlowProgress,
  type RunOptions,
  SmartFlowsClient,
  type SmartFlowsClientOptions,
  type WatchOptions,
} from 'smart-flows-rx';
import type { Observable } from 'rxjs';

/** The options of the app's one `SmartFlowsClient` (server URL, credentials, polling…). */
export const SMART_FLOWS_OPTIONS = new InjectionToken<SmartFlowsClientOptions>('SMART_FLOWS_OPTIONS');

/**
 * Provides {@link SmartFlowsService} with these client options, in `bootstrapApplication`
 * or a route's `providers`.
 *
 * @example
 * bootstrapApplication(App, { providers: [provideSmartFlows({ baseUrl: 'https://flows.example.com', apiKey })] });
 */
export function provideSmartFlows(options: SmartFlowsClientOptions): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: SMART_FLOWS_OPTIONS, useValue: options }]);
}

/**
 * Smart Flows for an Angular app: one client per injector, every method a cold Observable
 * to use with the `async` pipe or `takeUntilDestroyed()`; leaving the component aborts the
 * request in flight and stops polling.
 */
@Injectable({ providedIn: 'root' })
export class SmartFlowsService {
  /** The underlying client, for the calls this service does not wrap. */
  readonly client = new SmartFlowsClient({ ...browserFetch(), ...inject(SMART_FLOWS_OPTIONS) });

  /** Starts a flow and follows it: progress events, then one output event (or a typed error). */
  run(flowId: string, input?: FlowInput, options?: RunOptions): Observable<ExecutionEvent> {
    return this.client.run(flowId, input, options);
  }

  /** Follows an execution that already exists (after a page reload); subscribers share one poll loop. */
  watch(executionId: string, options?: WatchOptions): Observable<ExecutionEvent> {
    return this.client.watch(executionId, options);
  }

  /** Runs many flows, `concurrency` at a time, as a stream of snapshots for a dashboard. */
  runBatch(jobs: readonly BatchJob[], options?: BatchOptions): Observable<BatchSnapshot> {
    return this.client.runBatch(jobs, options);
  }

  /** Cancels an execution on the server; its stream then ends with status `Canceled`. */
  cancel(executionId: string): Observable<void> {
    return this.client.cancelExecution(executionId);
  }

  /** Answers the form of an execution in `UserInput`; its stream goes on at once. */
  submitUserInput(executionId: string, values: Record<string, unknown>): Observable<FlowProgress> {
    return this.client.submitUserInput(executionId, values);
  }

  /** Downloads a document an execution produced (its id comes from `findDocuments`). */
  downloadDocument(documentId: string): Observable<DownloadedDocument> {
    return this.client.downloadDocument(documentId);
  }
}

/** In a browser, the page's own `fetch` (cross-fetch, the default, is meant for Node). */
function browserFetch(): Pick<SmartFlowsClientOptions, 'fetch'> {
  return typeof globalThis.fetch === 'function' ? { fetch: (input, init) => globalThis.fetch(input, init) } : {};
}
