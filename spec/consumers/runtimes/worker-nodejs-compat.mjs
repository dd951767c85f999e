// worker.mjs's Worker with the nodejs_compat flag, for what needs Node's modules:
// GET /xml       an object input, turned into XML by toXml of smart-flows-rx/xml (xmlbuilder2
//                imports Node's `events` and `url`; the browser build never loads the xml entry)
// GET /journal   a 3-job batch journaled by fileJournal of smart-flows-rx/node in /tmp; the
//                answer says how many jobs it took from the journal of an earlier request
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { fileJournal } from 'smart-flows-rx/node';
import { toXml } from 'smart-flows-rx/xml';
import { runLetter } from './worker.mjs';

async function journaledBatch(env) {
  const client = new SmartFlowsClient({ baseUrl: env.SIM_URL, apiKey: env.SIM_API_KEY, polling: { intervalMs: 20 } });
  const jobs = [1, 2, 3].map((n) => ({ flowId: env.LETTER_FLOW, input: `<Letter><No>${n}</No></Letter>`, key: `letter-${n}` }));
  const end = await lastValueFrom(client.runBatch(jobs, { journal: fileJournal('/tmp/letters.journal') }));
  return Response.json({ succeeded: end.succeeded, fromJournal: end.journal?.resumed ?? 0 });
}

export default {
  fetch: (request, env) =>
    new URL(request.url).pathname === '/journal' ? journaledBatch(env) : runLetter(env, { Letter: { To: 'ACME & Sons' } }, { toXml }),
};
