// worker.mjs with an object input, turned into XML by toXml of smart-flows-rx/xml (the browser
// build never loads the xml entry itself). xmlbuilder2 imports Node's `events` and `url`: this
// Worker needs the nodejs_compat flag.
import { toXml } from 'smart-flows-rx/xml';
import { runLetter } from './worker.mjs';

export default {
  fetch: (request, env) => runLetter(env, { Letter: { To: 'ACME & Sons' } }, { toXml }),
};
