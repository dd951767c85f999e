import { InjectionToken } from '@angular/core';
import { SmartFlowsInputError } from 'smart-flows-rx';
import type { SmartFlowsFeature } from './provideSmartFlows';

/** What {@link withServerRendering} lets the server do while it renders a page. */
export interface ServerRenderingOptions {
  /**
   * Whether `injectExecution({ executionId })` reads one progress of that execution on the
   * server (one GET, under Angular's `PendingTasks`, so the render waits for it and no longer
   * than `snapshotTimeoutMs`), renders it and hands it to the browser through `TransferState`:
   * the browser shows it at once and asks the server again only at its first poll. An execution
   * already ended in Success or Warning is read with its output (a second GET, in the same time):
   * it renders resolved and the browser asks nothing. Without it,
   * the server sends nothing and the page renders the initial state. A flow is never started
   * on the server either way, and a batch is never run there.
   * @default false
   */
  snapshot?: boolean;
  /**
   * How long the server waits for that snapshot; past it the page renders without it.
   * @default 1000
   */
  snapshotTimeoutMs?: number;
}

/** @internal The server-rendering options of the app (`withServerRendering()`), all set. */
export const SMART_FLOWS_SERVER_RENDERING = new InjectionToken<Required<ServerRenderingOptions>>('SMART_FLOWS_SERVER_RENDERING');

/** @internal What the server does without `withServerRendering()`: nothing is sent. */
export const NO_SNAPSHOT: Required<ServerRenderingOptions> = { snapshot: false, snapshotTimeoutMs: 1000 };

/**
 * Says what the server may send while it renders a page (server-side rendering with
 * `@angular/ssr`). On the server platform `injectExecution` and `injectBatch` never start a flow
 * nor poll, with or without this feature: a `{ flowId }` run renders its initial state (`status`
 * undefined, `isActive` false) and the browser starts it after hydration, once. This feature
 * only allows `injectExecution({ executionId })` to read one snapshot of an existing execution
 * there (`snapshot: true`), which the browser takes over through `TransferState`.
 *
 * @param options - `snapshot` (default false) and `snapshotTimeoutMs` (default 1000)
 * @returns a feature for {@link provideSmartFlows}
 * @throws SmartFlowsInputError when an option has the wrong type or range
 * @example
 * // app.config.ts (shared by the browser and the server)
 * provideSmartFlows({ baseUrl, bearerToken }, withHttpClient(), withServerRendering({ snapshot: true }))
 */
export function withServerRendering(options: ServerRenderingOptions = {}): SmartFlowsFeature<'ServerRendering'> {
  if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('withServerRendering() options must be an object');
  const { snapshot = NO_SNAPSHOT.snapshot, snapshotTimeoutMs = NO_SNAPSHOT.snapshotTimeoutMs } = options;
  if (typeof snapshot !== 'boolean') throw new SmartFlowsInputError('withServerRendering(): snapshot must be true or false');
  if (typeof snapshotTimeoutMs !== 'number' || !Number.isFinite(snapshotTimeoutMs) || snapshotTimeoutMs <= 0) {
    throw new SmartFlowsInputError('withServerRendering(): snapshotTimeoutMs must be a positive number of milliseconds');
  }
  return {
    kind: 'ServerRendering',
    providers: [{ provide: SMART_FLOWS_SERVER_RENDERING, useValue: { snapshot, snapshotTimeoutMs } }],
  };
}
