/** The simulator's built-in flows this app runs (their ids, as `builtInFlows` of smart-flows-rx/testing has them). */
export const LETTER_FLOW = '5f1a0000-0000-4000-8000-000000000001';
/** A flow that waits for the user's input: on a server it would never end. */
export const QUOTE_FLOW = '5f1a0000-0000-4000-8000-000000000007';
/** The API key the e2e test gives the simulator. */
export const API_KEY = 'consumer-ssr-key';
/** How often the browser polls; the e2e test checks the first poll after a server's snapshot against it. */
export const POLL_INTERVAL_MS = 1000;
