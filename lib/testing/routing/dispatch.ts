import type { SimulatorRequest, SimulatorResponse } from '../types.js';
import type { SimulatorRequestLogEntry, SimulatorRouteName } from '../statsTypes.js';
import type { FaultInjector, FaultPlan } from './FaultInjector.js';
import { matchRoute } from './matchRoute.js';
import { errorResponse } from './responses.js';
import type { RouteContext, RouteHandler, RouteRequest } from './routes/RouteContext.js';
import { cancel, execution, list, progress, start, userInput } from './routes/executionRoutes.js';
import { document, documentContent } from './routes/documentRoutes.js';
import { login } from './routes/loginRoute.js';

const HANDLERS: Record<SimulatorRouteName, RouteHandler> = {
  start, progress, execution, cancel, userInput, list, document, documentContent, login,
};

const DROPPED: SimulatorResponse = Object.freeze({ status: 0, headers: Object.freeze({}), reset: true });
const API_PREFIX = '/api/v1';

/** Headers from any of the shapes adapters hold. */
function toHeaders(headers: SimulatorRequest['headers']): Headers {
  if (headers instanceof Headers) return headers;
  const result = new Headers();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    try {
      result.set(name, Array.isArray(value) ? value.join(', ') : value);
    } catch {
      // A header WHATWG refuses (odd name or bytes) is left out, as a strict server would.
    }
  }
  return result;
}

/**
 * The simulator's front door: logs the request, finds its route, injects faults, checks
 * credentials, runs the route and finishes the log entry. Faults come first and replace
 * the answer before any handler runs — so a faulted start never creates an execution
 * and a client's retry cannot produce a duplicate.
 *
 * No `await` happens before the handler runs unless latency is injected, so a long poll
 * has set its timer by the time `handle()` returns (tests on a virtual clock rely on it).
 */
export async function dispatch(
  ctx: RouteContext,
  faults: FaultInjector,
  request: SimulatorRequest,
): Promise<SimulatorResponse> {
  const nowMs = ctx.clock.now();
  const url = new URL(request.url, 'http://simulator.invalid');
  const method = request.method.toUpperCase();
  const path = url.pathname + url.search;
  const at = url.pathname.indexOf(`${API_PREFIX}/`);
  const found = at < 0 ? undefined : matchRoute(method, url.pathname.slice(at + API_PREFIX.length), ctx.endpointStyle);
  const match = found && 'route' in found ? found : undefined;
  const entry = ctx.log.begin(method, path, match?.route ?? 'other', nowMs);
  const finish = (response: SimulatorResponse): SimulatorResponse => {
    if (request.signal?.aborted) {
      ctx.log.aborted();
      entry.status = 0;
      return DROPPED;
    }
    entry.status = response.reset ? 0 : response.status;
    return response;
  };
  const context = { path, nowMs };
  if (!match) {
    if (found && 'allowed' in found) {
      return finish(errorResponse(405, `Method ${method} is not allowed on ${url.pathname}`, context, { allow: found.allowed.join(', ') }));
    }
    return finish(errorResponse(404, `No endpoint ${method} ${url.pathname}`, context));
  }

  const plan = faults.plan(match.route);
  if (plan && plan.latencyMs > 0) {
    ctx.log.fault(entry, 'latency');
    if (!(await ctx.waits.wait(plan.latencyMs, request.signal))) return finish(DROPPED);
  }
  const faulted = plan?.fault && injectedAnswer(ctx, plan, entry, match.params.id, path);
  if (faulted) return finish(faulted);

  const headers = toHeaders(request.headers);
  const req: RouteRequest = {
    match,
    path,
    query: url.searchParams,
    headers,
    body: typeof request.body === 'string' ? new TextEncoder().encode(request.body) : (request.body ?? new Uint8Array()),
    signal: request.signal,
  };
  if (match.route !== 'login') {
    req.principal = ctx.auth.authenticate(headers.get('x-api-key') ?? undefined, headers.get('authorization') ?? undefined);
    if (!req.principal) {
      return finish(errorResponse(401, 'A valid X-API-Key or Authorization: Bearer token is required', context, {
        'www-authenticate': 'Bearer',
      }));
    }
  }
  let response: SimulatorResponse;
  try {
    response = await HANDLERS[match.route](ctx, req);
  } catch (error) {
    // A bug in a handler or a flow script must not reject handle(): answer like a server would.
    return finish(errorResponse(500, `Simulator error: ${error instanceof Error ? error.message : String(error)}`, context));
  }
  if (plan?.slowBodyMs && response.body !== undefined && response.body.length > 1) {
    ctx.log.fault(entry, 'slowBody');
    return finish({ ...response, bodyDelayMs: plan.slowBodyMs });
  }
  return finish(response);
}

/** The answer that replaces the real one, for a fault that does. */
function injectedAnswer(
  ctx: RouteContext,
  plan: FaultPlan,
  entry: SimulatorRequestLogEntry,
  id: string | undefined,
  path: string,
): SimulatorResponse | undefined {
  const fault = plan.fault;
  if (!fault) return undefined;
  ctx.log.fault(entry, fault);
  const context = { path, nowMs: ctx.clock.now() };
  switch (fault) {
    case 'reset':
      return DROPPED;
    case 'status503':
    case 'status429': {
      const status = fault === 'status503' ? 503 : 429;
      const retryAfter = { 'retry-after': String(plan.retryAfterSeconds ?? 1) };
      return errorResponse(status, status === 503 ? 'Server busy, try again later' : 'Rate limit exceeded', context, retryAfter);
    }
    case 'status500':
      return errorResponse(500, 'Unexpected server error (injected)', context);
    case 'malformedJson':
      // A body cut off mid-object: valid start, no end.
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: `{"id":"${id ?? '00000000-0000-0000-0000-000000000000'}","percentage":5`,
      };
  }
}
