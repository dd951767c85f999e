// A Cloudflare Worker whose fetch handler runs a flow and answers with its output (its document
// downloaded): the packed package as a Worker project bundles it (worker-run.mjs bundles it as
// wrangler does). worker-nodejs-compat.mjs adds what needs Node's modules (xml entry, file journal).
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';

/** Runs the letter flow on `input`; the answer is its status, input XML and documents as text. */
export async function runLetter(env, input, options = {}) {
  const client = new SmartFlowsClient({ baseUrl: env.SIM_URL, apiKey: env.SIM_API_KEY, polling: { intervalMs: 20 }, ...options });
  const output = await lastValueFrom(client.run(env.LETTER_FLOW, input, { downloadDocuments: true }));
  return Response.json({
    status: output.progress.status,
    executionId: output.executionId,
    input: output.execution.state?.inputData?.xml,
    documents: (output.documents ?? []).map((d) => ({ fileName: d.fileName, text: new TextDecoder().decode(d.data) })),
  });
}

export default {
  fetch: (request, env) => runLetter(env, '<Letter><To>ACME</To></Letter>'),
};
