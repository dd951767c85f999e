// Preloaded (`node --import`) before the README's "Bounding a stuck execution" snippet
// (bounded-run.snippet.mjs, byte for byte the README's block), which uses `client`, `flowId`,
// `xml` and `isSmartFlowsTimeoutError` as a program of the user's would have them: this module
// gives them to it, as globals. And it makes time in this process run FACTOR times faster
// (the timers and Date.now that the client's RxJS scheduler reads), so the snippet's 15-minute
// timeout ends in 9 s of real time; the simulator, in the checking process, keeps real time.
import { isSmartFlowsTimeoutError, SmartFlowsClient } from 'smart-flows-rx';

const FACTOR = Number(process.env.TIME_FACTOR ?? 100);
const realNow = Date.now;
const start = realNow();
Date.now = () => start + (realNow() - start) * FACTOR;
const { setTimeout: realSetTimeout, setInterval: realSetInterval } = globalThis;
globalThis.setTimeout = (fn, ms = 0, ...args) => realSetTimeout(fn, ms / FACTOR, ...args);
globalThis.setInterval = (fn, ms = 0, ...args) => realSetInterval(fn, ms / FACTOR, ...args);

Object.assign(globalThis, {
  client: new SmartFlowsClient({ baseUrl: process.env.SMART_FLOWS_URL, apiKey: process.env.SMART_FLOWS_API_KEY }),
  flowId: process.env.FLOW_ID,
  xml: '<Letter><To>Ada</To></Letter>',
  isSmartFlowsTimeoutError,
});
