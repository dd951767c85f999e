/** Public types of fault injection, the request log and the statistics the simulator keeps. */

/** The routes the simulator answers, as counted in `stats.byRoute`. */
export type SimulatorRouteName =
  | 'start'
  | 'progress'
  | 'execution'
  | 'cancel'
  | 'userInput'
  | 'document'
  | 'documentContent'
  | 'list'
  | 'login';

/** Injected failures; every rate is a probability from 0 to 1, drawn from the seeded PRNG. */
export interface FaultOptions {
  /** Extra delay before answering, fixed or drawn from `[min, max]`, in milliseconds. */
  latencyMs?: number | [number, number];
  /** Share of requests answered `503 Service Unavailable` (with `Retry-After`). */
  rate503?: number;
  /** Share of requests answered `429 Too Many Requests` (with `Retry-After`). */
  rate429?: number;
  /** Share of requests answered `500 Internal Server Error`. */
  rate500?: number;
  /** Share of requests whose connection is dropped without an answer. */
  rateReset?: number;
  /** Share of requests answered 200 with a truncated, unparsable JSON body. */
  rateMalformedJson?: number;
  /** `Retry-After` seconds on 503/429; huge values (3e6) are allowed on purpose. @default 1 */
  retryAfterSeconds?: number | ((route: SimulatorRouteName) => number);
  /** When set, answers on faulted routes send half the body, wait this long, then the rest. */
  slowBodyMs?: number;
  /** The routes faults apply to; `'all'` for every route. @default ['progress'] */
  routes?: SimulatorRouteName[] | 'all';
}

/** One line of the request log. */
export interface SimulatorRequestLogEntry {
  method: string;
  /** Path and query below the host, e.g. `/api/v1/flows/executions/…/progress`. */
  path: string;
  route: SimulatorRouteName | 'other';
  /** The status sent; 0 for a dropped connection or an aborted request. */
  status: number;
  /** Clock time when the request arrived, in ms since the epoch. */
  at: number;
  /** The fault injected into this request, if any. */
  fault?: keyof SimulatorFaultCounts;
}

/** How many faults of each kind were injected. */
export interface SimulatorFaultCounts {
  latency: number;
  status503: number;
  status429: number;
  status500: number;
  reset: number;
  malformedJson: number;
  slowBody: number;
}

/** Counters since creation or the last `resetStats()`. */
export interface SimulatorStats {
  /** All requests, recognised or not. */
  requests: number;
  byRoute: Record<SimulatorRouteName | 'other', number>;
  /** Executions created (a faulted start creates none). */
  executionsStarted: number;
  startsByFlow: Record<string, number>;
  /** Executions started and not yet in a terminal status, now. */
  concurrentExecutions: number;
  /** Highest `concurrentExecutions` at any moment since the last reset. */
  maxConcurrentExecutions: number;
  /** Long polls being held right now. */
  openLongPolls: number;
  /** Requests whose client went away before the answer. */
  abortedRequests: number;
  faultsInjected: SimulatorFaultCounts;
}
