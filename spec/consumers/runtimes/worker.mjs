// worker.mjs: a Cloudflare Worker whose fetch handler runs a flow and answers with its output.
// The bindings (wrangler.jsonc `vars`, the key as a secret): SMART_FLOWS_URL, SMART_FLOWS_API_KEY, FLOW_ID.
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';

/** Runs the flow on `input`; answers with the status, the input XML and the documents (as text). */
export async function runFlow(env, input, clientOptions = {}) {
  const client = new SmartFlowsClient({ baseUrl: env.SMART_FLOWS_URL, apiKey: env.SMART_FLOWS_API_KEY, ...clientOptions });
  const output = await lastValueFrom(client.run(env.FLOW_ID, input, { downloadDocuments: true }));
  return Response.json({
    status: output.progress.status,
    executionId: output.executionId,
    input: output.execution.state?.inputData?.xml,
    documents: (output.documents ?? []).map((d) => ({ fileName: d.fileName, text: new TextDecoder().decode(d.data) })),
  });
}

export default {
  fetch: (request, env) => runFlow(env, '<Letter><To>ACME</To></Letter>'),
};
