// worker.mjs with the nodejs_compat flag, for what needs Node's modules:
// GET /xml       an object input, turned into XML by toXml of smart-flows-rx/xml (xmlbuilder2
//                imports Node's `events` and `url`; the browser build never loads the xml entry)
// GET /journal   a 3-job batch journaled by fileJournal of smart-flows-rx/node in /tmp; the
//                answer says how many jobs it took from the journal of an earlier request
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { fileJournal } from 'smart-flows-rx/node';
import { toXml } from 'smart-flows-rx/xml';
import { runFlow } from './worker.mjs';

async function journaledBatch(env) {
  const client = new SmartFlowsClient({ baseUrl: env.SMART_FLOWS_URL, apiKey: env.SMART_FLOWS_API_KEY });
  const jobs = [1, 2, 3].map((n) => ({ flowId: env.FLOW_ID, input: `<Letter><No>${n}</No></Letter>`, key: `letter-${n}` }));
  const end = await lastValueFrom(client.runBatch(jobs, { journal: fileJournal('/tmp/letters.journal') }));
  return Response.json({ succeeded: end.succeeded, fromJournal: end.journal?.resumed ?? 0 });
}

export default {
  fetch: (request, env) =>
    new URL(request.url).pathname === '/journal' ? journaledBatch(env) : runFlow(env, { Letter: { To: 'ACME & Sons' } }, { toXml }),
};
