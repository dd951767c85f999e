// promise.mjs: a flow run from Promise code, with a deadline that also cancels the execution.
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient, isSmartFlowsAbortError } from 'smart-flows-rx';

const client = new SmartFlowsClient({ baseUrl: process.env.SMART_FLOWS_URL, apiKey: process.env.SMART_FLOWS_API_KEY });

/**
 * Runs a flow to its end and gives its execution. Gives up after `ms`, or as soon as `signal`
 * aborts (an HTTP request whose client went away): the poll stops, the execution is canceled.
 */
export async function runFlow(flowId, input, { ms = 60_000, signal } = {}) {
  const deadline = AbortSignal.timeout(ms);
  const last = await lastValueFrom(
    client.run(flowId, input, {
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      cancelOnUnsubscribe: true,
    }),
  );
  return last.execution; // the output event: status Success or Warning
}

try {
  const execution = await runFlow(process.env.FLOW_ID, '<Letter/>', { ms: Number(process.env.LIMIT_MS ?? 60_000) });
  console.log(`done: ${execution.status}`);
} catch (error) {
  if (!isSmartFlowsAbortError(error)) throw error; // the flow failed: FlowExecutionError, …
  const why = error.cause?.name === 'TimeoutError' ? 'the deadline passed' : 'the caller left';
  console.log(`gave up (${why}); execution ${error.executionId ?? 'not started'} was canceled`);
}
