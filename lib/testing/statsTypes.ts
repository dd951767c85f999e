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
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** Path and query below the host, e.g. `/api/v1/flows/executions/…/progress`. */
  path: string;
  /** The route that answered; `'other'` for a request no route recognised. */
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
  /** Requests delayed by `latencyMs`. */
  latency: number;
  /** Requests answered `503` by `rate503`. */
  status503: number;
  /** Requests answered `429` by `rate429`. */
  status429: number;
  /** Requests answered `500` by `rate500`. */
  status500: number;
  /** Connections dropped by `rateReset`. */
  reset: number;
  /** Requests answered with a truncated JSON body by `rateMalformedJson`. */
  malformedJson: number;
  /** Answers whose body was sent in two halves by `slowBodyMs`. */
  slowBody: number;
}

/** Counters since creation or the last `resetStats()`. */
export interface SimulatorStats {
  /** All requests, recognised or not. */
  requests: number;
  /** Requests per route; `other` counts those no route recognised. */
  byRoute: Record<SimulatorRouteName | 'other', number>;
  /** Executions created (a faulted start creates none). */
  executionsStarted: number;
  /** Executions created, per flow id. */
  startsByFlow: Record<string, number>;
  /** Executions started and not yet in a terminal status, now. */
  concurrentExecutions: number;
  /** Highest `concurrentExecutions` at any moment since the last reset. */
  maxConcurrentExecutions: number;
  /** Long polls being held right now. */
  openLongPolls: number;
  /** Requests whose client went away before the answer. */
  abortedRequests: number;
  /** Faults injected, per kind. */
  faultsInjected: SimulatorFaultCounts;
}
