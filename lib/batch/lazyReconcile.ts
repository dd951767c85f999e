import type { Observable } from 'rxjs';
import { lazyModule } from '../internal/lazyModule';
import type { ReconcileDeps, Reconciled, ReconcileLimits } from './reconcile';

// The reconciliation code stays out of what a browser app loads up front (it is a lazy chunk,
// shared with the journal part); the Node builds hold it in their one file.
const withReconcile = lazyModule('reconciliation', () => import('./reconcile'));

/**
 * Finds whether a start whose answer was lost created an execution: lists the flow's
 * executions newest first back to `sinceMs` (less an hour for clock skew), fetches each
 * one not in `known`, and compares its `state.inputData` with `xml`. A journaled batch and the
 * BullMQ processor use it for a job recorded as starting without an execution id. Cold (nothing
 * is sent before subscription) and never errors: a listing or an input it cannot read gives
 * `uncertain`.
 * @param deps - the client's `listExecutions` and `getExecution` (bound), or stand-ins
 * @param job - the flow, the exact XML the start sent, and when the start was sent (ms since the epoch)
 * @param known - lower-cased execution ids owned by other jobs already (never adopted)
 * @returns one {@link Reconciled}: adopt this execution, none (start again), or uncertain (start nothing)
 * @example
 * reconcile({ listExecutions: (o) => client.listExecutions(o), getExecution: (id) => client.getExecution(id) },
 *   { flowId, xml, sinceMs: Date.parse(startingAt) }, new Set());
 */
export function reconcile(deps: ReconcileDeps, job: { flowId: string; xml: string | undefined; sinceMs: number }, known: ReadonlySet<string>): Observable<Reconciled> {
  return withReconcile((module) => module.reconcile(deps, job, known));
}

/**
 * {@link reconcile} over a window (`cutoffMs` on the server's clock when known) and bounds
 * (`reconcileWithin`): a start answered busy looks with it. Internal; lazy like `reconcile`.
 */
export function reconcileWithin(
  deps: ReconcileDeps,
  job: { flowId: string; xml: string | undefined; sinceMs: number; cutoffMs?: number },
  known: ReadonlySet<string>,
  limits: ReconcileLimits,
): Observable<Reconciled> {
  return withReconcile((module) => module.reconcileWithin(deps, job, known, limits));
}
