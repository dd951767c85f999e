import type { ExecutionRecord } from '../../engine/ExecutionRecord.js';
import { checkXml } from '../../engine/checkXml.js';
import { isGuid } from '../../engine/random.js';
import { isTerminalStatus } from '../../engine/timeline.js';
import { toExecution, toProgress } from '../../engine/views.js';
import { holdSeconds } from '../progressHold.js';
import { json } from '../responses.js';
import {
  bodyJson, bodyText, fail, findExecution, isResponse, mediaType,
  type RouteContext, type RouteHandler,
} from './RouteContext.js';

const XML_TYPES = new Set(['application/xml', 'text/xml']);
/** Who starts the executions of other users that `listing.otherUsersPerStart` adds. */
const OTHER_USER = Object.freeze({ id: '0be70000-0000-4000-8000-000000000001', displayName: 'Another user' });

const progressOf = (ctx: RouteContext, record: ExecutionRecord) =>
  json(200, toProgress(record, ctx.clock.now(), ctx.spell));

/**
 * `POST /flows/executions?flowId=` (XML input) and `POST /flows/executions/start?flowId=`
 * (no input, user input skipped). Every check happens before the execution exists, so a
 * refused start leaves nothing behind.
 */
export const start: RouteHandler = (ctx, req) => {
  const skip = req.match.variant === 'skip';
  if (!skip && !XML_TYPES.has(mediaType(req))) {
    return fail(ctx, req, 415, `Content-Type '${req.headers.get('content-type') ?? ''}' is not supported; send application/xml`);
  }
  const flowId = req.query.get('flowId') ?? '';
  if (!flowId) return fail(ctx, req, 400, "Required parameter 'flowId' is missing");
  if (!isGuid(flowId)) return fail(ctx, req, 400, `Invalid flowId '${flowId}': not a GUID`);
  const script = ctx.engine.getFlow(flowId);
  if (!script) return fail(ctx, req, 404, `Flow ${flowId} not found`);

  let xml: string | undefined;
  let root: string | undefined;
  if (!skip) {
    xml = bodyText(req);
    if (xml === undefined) return fail(ctx, req, 400, 'The input is not valid UTF-8');
    const checked = checkXml(xml);
    if (!checked.ok) return fail(ctx, req, 400, `Malformed XML input: ${checked.reason} at offset ${checked.offset}`);
    root = checked.root;
    if (script.requiredRoot !== undefined && root !== script.requiredRoot) {
      return fail(ctx, req, 400, `The input's root element is <${root}>; flow '${script.displayName}' expects <${script.requiredRoot}>`);
    }
  }
  for (let i = 0; i < ctx.listing.otherUsersPerStart; i++) {
    ctx.engine.startForOtherUser(script, { xml, root, skipUserInput: skip, principal: OTHER_USER }, 1000);
  }
  const record = ctx.engine.start(script, { xml, root, skipUserInput: skip, principal: req.principal ?? ctx.auth.apiKeyUser });
  ctx.log.started(script.id);
  return progressOf(ctx, record);
};

/**
 * `GET /flows/executions/{id}/progress[?timeout=seconds]`. The answer is held until the
 * progress changes (next stage, cancel, input posted) or the hold is up; how long the hold
 * is comes from `timeout` and the `progressHold` option (by default only a positive timeout
 * holds). A finished execution answers at once.
 */
export const progress: RouteHandler = async (ctx, req) => {
  const record = findExecution(ctx, req);
  if (isResponse(record)) return record;
  const timeout = req.query.get('timeout');
  const seconds = holdSeconds(ctx.progressHold, timeout);
  if (seconds === 'invalid') return fail(ctx, req, 400, `Invalid timeout '${timeout ?? ''}': not a number`);
  if (seconds > 0) await holdUntilChange(ctx, record, Math.min(seconds, ctx.maxLongPollSeconds) * 1000, req.signal);
  return progressOf(ctx, record);
};

async function holdUntilChange(ctx: RouteContext, record: ExecutionRecord, timeoutMs: number, signal?: AbortSignal) {
  const first = ctx.engine.phase(record);
  if (isTerminalStatus(first.status)) return;
  const deadlineMs = ctx.clock.now() + timeoutMs;
  // Events (cancel, input posted) end the hold early, as does the client going away.
  const wake = new AbortController();
  const stopListening = ctx.engine.onEvent(record, () => wake.abort());
  const onClientAbort = () => wake.abort();
  signal?.addEventListener('abort', onClientAbort, { once: true });
  ctx.longPolls.open++;
  try {
    for (;;) {
      const phase = ctx.engine.phase(record);
      if (phase.startMs !== first.startMs || phase.status !== first.status) return;
      const waitMs = Math.min(deadlineMs, phase.endMs) - ctx.clock.now();
      if (waitMs <= 0) return;
      // A real timer may fire a millisecond early; then the phase is unchanged and we wait on.
      if (!(await ctx.waits.wait(Math.max(1, waitMs), wake.signal))) return;
    }
  } finally {
    ctx.longPolls.open--;
    stopListening();
    signal?.removeEventListener('abort', onClientAbort);
  }
}

/** `GET /flows/executions/{id}`: the full execution. */
export const execution: RouteHandler = (ctx, req) => {
  const record = findExecution(ctx, req);
  if (isResponse(record)) return record;
  return json(200, toExecution(record, ctx.clock.now(), ctx.spell));
};

/**
 * `DELETE /flows/executions/{id}/progress` and `DELETE /flows/executions/{id}`: answers
 * the progress after the cancel. Canceling a finished execution changes nothing and is
 * not an error (a client may race the end), so it answers 200 with the final progress.
 */
export const cancel: RouteHandler = (ctx, req) => {
  const record = findExecution(ctx, req);
  if (isResponse(record)) return record;
  ctx.engine.cancel(record, req.principal ?? ctx.auth.apiKeyUser);
  return progressOf(ctx, record);
};

/** `POST /flows/executions/{id}/progress` with JSON form values: resumes the flow. */
export const userInput: RouteHandler = (ctx, req) => {
  const record = findExecution(ctx, req);
  if (isResponse(record)) return record;
  const type = mediaType(req);
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    return fail(ctx, req, 415, `Content-Type '${type}' is not supported; send application/json`);
  }
  const values = bodyJson(req);
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return fail(ctx, req, 400, 'The body must be a JSON object of form values');
  }
  if (!ctx.engine.submitUserInput(record, values as Record<string, unknown>, req.principal ?? ctx.auth.apiKeyUser)) {
    const status = ctx.spell(ctx.engine.phase(record).status);
    return fail(ctx, req, 409, `Flow execution ${record.id} is not waiting for user input (status: ${status})`);
  }
  return progressOf(ctx, record);
};

export { list } from './listRoute.js';
