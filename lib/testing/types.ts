/**
 * Public types of the `smart-flows-rx/testing` entry: flow scripts, clocks, options and
 * the framework-free request/response pair. Faults and statistics: `statsTypes.ts`.
 */
import type { FlowStatus } from '../api/types.js';
import type { FaultOptions } from './statsTypes.js';

/** The statuses the simulator can report, in their canonical (normalized) form: the client's, less `Unknown`. */
export type SimulatorStatus = Exclude<FlowStatus, 'Unknown'>;

/** How a scripted flow ends. */
export type FlowOutcome = 'Success' | 'Warning' | 'Error' | 'Interrupted';

/** One step of a scripted flow: while it runs, progress shows its message and percentage. */
export interface FlowStage {
  /** The progress `message` while this stage runs. */
  message: string;
  /** How long the stage runs, in clock milliseconds. */
  durationMs: number;
  /** The progress `percentage` (0–100) while this stage runs. */
  percentage: number;
  /**
   * The status while this stage runs: `Waiting` for an external event (an e-signature),
   * `SelectFlow` for a choice of flow; both still end on their own after `durationMs`.
   * @default 'Running'
   */
  status?: 'Running' | 'Waiting' | 'SelectFlow';
}

/** A pause for a person to fill in a form (status `UserInput`). */
export interface UserInputScript {
  /** 0-based index of the stage after which the flow pauses. */
  afterStage: number;
  /** The xd-schema-form JSON schema shown in the progress object. */
  schema: Record<string, unknown>;
  /** The current (default) values; posted values are merged into it. */
  model: Record<string, unknown>;
  /** The xd-schema-form layout. */
  form: unknown[];
}

/** A document the flow produces when it ends in Success or Warning. */
export interface DocumentScript {
  /** A fixed document GUID; by default each execution gets fresh ids. */
  id?: string;
  /** The document's name, also its download file name. */
  displayName: string;
  /** MIME type sent with the content, e.g. `application/pdf`. */
  contentType: string;
  /** The content; a string is sent as UTF-8. */
  bytes: Uint8Array | string;
  /** The block id the reference is nested under in `model`. @default `block-<n>` */
  blockId?: string;
  /** The property name of the reference inside its block. @default 'outputDocument' */
  property?: string;
}

/** A scripted flow: what the simulator does when an execution of it is started. */
export interface FlowScript {
  /** The flow GUID clients pass as `flowId`. */
  id: string;
  /** The flow's name, as listings and executions show it. */
  displayName: string;
  /** When set, the XML input's root element must have this name, else 400. */
  requiredRoot?: string;
  /** How long the execution stays `Queued` before its first stage, in milliseconds. */
  queueMs?: number;
  /** The steps the execution runs through after the queue, in order. */
  stages: FlowStage[];
  /** The status the execution ends in after its last stage. */
  outcome: FlowOutcome;
  /** The progress message once the flow has ended. @default a message per outcome */
  outcomeMessage?: string;
  /** A pause for a form (status `UserInput`) after one of the stages. @default none */
  userInput?: UserInputScript;
  /** The documents an execution produces when it ends in Success or Warning. @default none */
  documents?: DocumentScript[];
}

/** The time source of the simulator; every delay and timestamp comes from it. */
export interface SimulatorClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` clock milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set with `setTimeout` (a fired or unknown handle is ignored). */
  clearTimeout(handle: unknown): void;
}

/** A clock that only moves when told to, for tests. */
export interface VirtualClock extends SimulatorClock {
  /** Moves time forward, firing due timers in order (synchronously). */
  advance(ms: number): void;
  /**
   * Moves time forward like `advance`, but lets pending promises settle after each
   * timer, so work a timer starts (and the timers it sets) runs within the same call.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Number of timers not yet fired. */
  readonly pendingTimers: number;
}

/** Which spelling of statuses to write: the SDK enum, the seed README or the API guide. */
export type StatusSpellingName = 'sdk' | 'seed' | 'guide';

/** A named spelling, or a partial map from canonical status to the text to send. */
export type StatusSpelling = StatusSpellingName | Partial<Record<SimulatorStatus, string>>;

/** A user who may log in for a bearer token. */
export interface SimulatorUser {
  /** The name sent to `POST /login`. */
  username: string;
  /** The password sent to `POST /login`. */
  password: string;
  /** @default the username */
  displayName?: string;
}

/**
 * What a `timeout` of `-1` or `0` on the progress call means to a server with a default hold:
 * answer at once, hold up to its default, or hold until the progress changes (capped by
 * `maxLongPollSeconds`). The sources do not say; the vendor's Java sample sends `-1`.
 */
export type HoldMeaning = 'none' | 'default' | 'forever';

/**
 * How the server treats the progress call's `timeout` parameter (seconds), which the sources
 * leave open: the SDK documents it as "the timeout in seconds, defaults to 30". Every hold
 * ends early when the progress changes, and never lasts past `maxLongPollSeconds`.
 */
export interface ProgressHoldOptions {
  /**
   * `'asked'`: holds only for a positive `timeout`; absent, `-1` or `0` answer at once.
   * `'default'`: a positive `timeout` holds up to that; an absent one holds up to
   * `defaultSeconds`; `-1` and `0` as `minusOne` and `zero` say.
   * `'ignore'`: holds every progress call up to `defaultSeconds` whatever `timeout` says
   * (`defaultSeconds: 0`: a server that never holds).
   * @default 'asked'
   */
  mode?: 'asked' | 'default' | 'ignore';
  /** The server's own hold, in seconds, for `'default'` and `'ignore'`. @default 30 */
  defaultSeconds?: number;
  /** In `'default'` mode, what `timeout=-1` (any negative value) means. @default 'none' */
  minusOne?: HoldMeaning;
  /** In `'default'` mode, what `timeout=0` means. @default 'none' */
  zero?: HoldMeaning;
}

/** Sort fields a listing may be asked for. */
export type SimulatorSortField = 'createdAt' | 'modifiedAt' | 'status' | 'id' | 'displayName' | 'flowId' | 'createdBy';

/**
 * How the listing calls behave where the public sources leave it open (what a client that
 * tracks executions through listings must check): by default every sort is honoured, the
 * filter endpoint is served, listings are as fresh as the progress call and hold only the
 * executions clients started.
 */
export interface SimulatorListingOptions {
  /**
   * `POST /flows/executions/filter`: served, or answered 404 (a server without it) or 405 (a
   * server that has the path for GET only). @default 'served'
   */
  filterEndpoint?: 'served' | 404 | 405;
  /**
   * Sort fields this server does not honour: `'ignored'` lists in the default order (newest
   * `createdAt` first) as if no sort was asked, `'refused'` answers 400. @default none
   */
  unsupportedSort?: Partial<Record<SimulatorSortField, 'ignored' | 'refused'>>;
  /**
   * Filter keys of `POST /flows/executions/filter` this server does not honour: `'ignored'`
   * matches every execution (the condition is dropped), `'refused'` answers 400. @default none
   */
  unsupportedFilterKeys?: Partial<Record<'status' | 'createdAt' | 'modifiedAt' | 'flowId' | 'id', 'ignored' | 'refused'>>;
  /**
   * Listings lag the progress call: each execution shows in listings as it was up to this many
   * milliseconds ago (a fixed share of it per execution, from its id); an execution younger than
   * its lag is not listed yet. @default 0
   */
  lagMs?: number;
  /**
   * Other users' executions in the same listings: each start also starts this many executions of
   * the same flow for another user (created up to 1 s earlier), which clients never follow.
   * @default 0
   */
  otherUsersPerStart?: number;
}

/** Options of {@link createSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** The flows the simulator knows. @default every flow of `builtInFlows` */
  flows?: FlowScript[];
  /** The time source. @default the real clock */
  clock?: SimulatorClock;
  /** Seed of the PRNG behind fault injection and generated ids. @default random */
  seed?: number;
  /** Accepted `X-API-Key` values; the first is the one servers report. @default [SIMULATOR_API_KEY] */
  apiKeys?: string[];
  /** Users who may log in. @default [SIMULATOR_USER] */
  users?: SimulatorUser[];
  /** Lifetime of bearer tokens from login, in milliseconds. @default 3_600_000 */
  tokenTtlMs?: number;
  /** Lifetime of documents after the flow ends (the `expiration` field), in ms. @default 86_400_000 */
  documentTtlMs?: number;
  /** How statuses are spelled. @default 'seed' */
  statusSpelling?: StatusSpelling;
  /** Longest long poll honoured, in seconds; longer `timeout`s are cut to it. @default 120 */
  maxLongPollSeconds?: number;
  /** How the progress call's `timeout` is honoured: see {@link ProgressHoldOptions}. @default { mode: 'asked' } */
  progressHold?: ProgressHoldOptions;
  /**
   * Which spellings of cancel and document content to serve: `'sdk'` (`DELETE …/progress`,
   * `/documents/{id}/content`), `'guide'` (`DELETE /executions/{id}`,
   * `/documents/content/{id}`) or both. One alone tests a client's fallback. @default 'both'
   */
  endpointStyle?: 'both' | 'sdk' | 'guide';
  /** Injected failures. @default none */
  faults?: FaultOptions;
  /** How listings behave (filter endpoint, sorts, lag, other users): see {@link SimulatorListingOptions}. @default all honoured */
  listing?: SimulatorListingOptions;
  /** How many entries `simulator.requests` keeps (oldest dropped first). @default 1000 */
  requestLogLimit?: number;
}

/** A request as the simulator sees it, independent of msw or node:http. */
export interface SimulatorRequest {
  /** The HTTP method, e.g. `GET` (any case). */
  method: string;
  /** Absolute URL, or path and query; everything up to `/api/v1` is ignored. */
  url: string;
  /** The request headers, as a `Headers` object or a plain record (node:http's form). @default none */
  headers?: Headers | Record<string, string | string[] | undefined>;
  /** The request body, if any. */
  body?: string | Uint8Array;
  /** Aborted when the client goes away; a held long poll then stops at once. */
  signal?: AbortSignal;
}

/** The simulator's answer; adapters turn it into an HTTP response. */
export interface SimulatorResponse {
  /** The HTTP status code. */
  status: number;
  /** The response headers, names in lower case. */
  headers: Record<string, string>;
  /** The response body, if any. */
  body?: string | Uint8Array;
  /** Drop the connection instead of answering (a socket reset / network error). */
  reset?: boolean;
  /** Send the first half of the body, wait this long, then the rest. */
  bodyDelayMs?: number;
}

