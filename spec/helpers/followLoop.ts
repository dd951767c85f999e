import { catchError, EMPTY, filter, map, type Observable, of, skip, throwError } from 'rxjs';
import type { FlowExecution, FlowProgress } from '../../lib/api/types';
import { isFlowExecutionError } from '../../lib/errors';
import { type FollowDeps, followExecution, type FollowOptions } from '../../lib/execution/followExecution';
import type { PollDeps } from '../../lib/execution/poller';

/**
 * The production poll loop (`followExecution`, the one `run` and `watch` use) seen as a stream
 * of progress: each progress that changed after `first` (not `first` itself), completing after
 * the terminal one. The final GET answers at once with the terminal status, and a failure's
 * `FlowExecutionError` reads as the end, so specs of the loop's timing keep their marbles.
 */
export function followLoop(deps: PollDeps & Partial<Pick<FollowDeps, 'api'>>, first: FlowProgress, options: FollowOptions = {}): Observable<FlowProgress> {
  const api: FollowDeps['api'] = deps.api ?? {
    execution: (id) => of<FlowExecution>({ id, status: 'Success', rawStatus: 'Success' }),
    cancel: () => EMPTY,
  };
  return followExecution({ ...deps, api }, of(first), options).pipe(
    skip(1),
    filter((event) => event.type === 'progress'),
    map((event) => event.progress),
    catchError((error: unknown) => (isFlowExecutionError(error) ? EMPTY : throwError(() => error))),
  );
}
