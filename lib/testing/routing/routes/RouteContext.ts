import type { SimulatorClock, SimulatorListingOptions, SimulatorResponse } from '../../types.js';
import type { Auth } from '../../engine/Auth.js';
import type { ExecutionRecord, SimulatorPrincipal } from '../../engine/ExecutionRecord.js';
import type { FlowEngine } from '../../engine/FlowEngine.js';
import { isGuid } from '../../engine/random.js';
import type { Speller } from '../../engine/views.js';
import type { EndpointStyle, RouteMatch } from '../matchRoute.js';
import type { RequestLog } from '../RequestLog.js';
import type { Waits } from '../Waits.js';
import type { ProgressHold } from '../progressHold.js';
import { errorResponse } from '../responses.js';

/** What every route handler may use: the engine and the simulator's services. */
export interface RouteContext {
  engine: FlowEngine;
  auth: Auth;
  clock: SimulatorClock;
  spell: Speller;
  waits: Waits;
  log: RequestLog;
  documentTtlMs: number;
  maxLongPollSeconds: number;
  /** How the progress call's `timeout` is honoured. */
  progressHold: ProgressHold;
  endpointStyle: EndpointStyle;
  /** Long polls being held now; the progress route keeps it up to date. */
  longPolls: { open: number };
  /** How listings behave (filter endpoint, sorts, lag, other users). */
  listing: Required<SimulatorListingOptions>;
}

/** One request, parsed, as the route handlers see it. */
export interface RouteRequest {
  match: RouteMatch;
  /** Path and query, for error bodies. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Uint8Array;
  /** Who is calling; absent only on the login route. */
  principal?: SimulatorPrincipal;
  signal?: AbortSignal;
}

export type RouteHandler = (ctx: RouteContext, req: RouteRequest) => SimulatorResponse | Promise<SimulatorResponse>;

/** An error answer for this request. */
export function fail(ctx: RouteContext, req: RouteRequest, status: number, message: string): SimulatorResponse {
  return errorResponse(status, message, { path: req.path, nowMs: ctx.clock.now() });
}

/** The execution named in the path, or the 400/404 answer to send instead. */
export function findExecution(ctx: RouteContext, req: RouteRequest): ExecutionRecord | SimulatorResponse {
  const id = req.match.params.id ?? '';
  if (!isGuid(id)) return fail(ctx, req, 400, `Invalid execution id '${id}': not a GUID`);
  return ctx.engine.getExecution(id) ?? fail(ctx, req, 404, `Flow execution ${id} not found`);
}

/** Whether a value returned by a finder is an answer to send rather than the thing sought. */
export function isResponse(value: object): value is SimulatorResponse {
  return 'status' in value && 'headers' in value && typeof (value as SimulatorResponse).status === 'number';
}

/** Decodes a UTF-8 body strictly; `undefined` when the bytes are not UTF-8. */
export function bodyText(req: RouteRequest): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(req.body);
  } catch {
    return undefined;
  }
}

/** Parses a JSON body; `undefined` when absent or not JSON. */
export function bodyJson(req: RouteRequest): unknown {
  const text = bodyText(req);
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The media type of the request without parameters, lower-cased ('' when absent). */
export function mediaType(req: RouteRequest): string {
  return (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
