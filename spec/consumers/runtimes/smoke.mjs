// The packed package in Deno and Bun, against the simulator's HTTP server that harness.mjs runs
// on Node beside it: run, watch, a 3-job runBatch, a download, an object input through the xml
// entry, an unsubscribe that aborts the progress request in flight, and a batch journaled in a
// file (smart-flows-rx/node) resumed from it. The same file for both
// runtimes (Deno maps the bare names to npm: specifiers in deno.json, Bun reads node_modules).
// Prints `<check>: passed` or `<check>: FAILED (…)` a line; the harness reads them.
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { fileJournal } from 'smart-flows-rx/node';
import { toXml } from 'smart-flows-rx/xml';

const { SIM_URL, SIM_API_KEY, STATS_URL, LETTER_FLOW, SLOW_FLOW } = process.env;

// The library's default fetch is the runtime's own only where it sees Node ≥ 24 (else cross-fetch):
// counting the calls through globalThis.fetch tells which one this runtime got.
let globalFetchCalls = 0;
const runtimeFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  globalFetchCalls++;
  return runtimeFetch(...args);
};

const client = new SmartFlowsClient({ baseUrl: SIM_URL, apiKey: SIM_API_KEY, polling: { intervalMs: 20, waitSeconds: 0 } });
const stats = async () => (await runtimeFetch(STATS_URL)).json();
let failures = 0;

async function check(name, body) {
  try {
    const detail = await body();
    console.log(`${name}: passed${detail ? ` (${detail})` : ''}`);
  } catch (error) {
    failures++;
    console.log(`${name}: FAILED (${error?.stack ?? error})`);
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}
/** Polls the simulator's statistics until `test` holds, at most `ms`. */
async function until(test, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await stats();
    if (test(s)) return s;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; stats: ${JSON.stringify(s)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

await check('run', async () => {
  const events = await lastValueFrom(client.run(LETTER_FLOW, '<Letter><To>ACME</To></Letter>').pipe(toArray()));
  const last = events.at(-1);
  expect(last.type === 'output' && last.progress.status === 'Success', `ended with ${JSON.stringify(last)}`);
  expect(events.some((e) => e.type === 'progress'), 'no progress event');
  return `${events.length} events`;
});

await check('watch', async () => {
  const first = await firstValueFrom(client.run(LETTER_FLOW, '<Letter/>'));
  const watched = await lastValueFrom(client.watch(first.executionId));
  expect(watched.type === 'output' && watched.executionId === first.executionId, `watch ended with ${JSON.stringify(watched)}`);
});

await check('runBatch, 3 jobs', async () => {
  const jobs = [1, 2, 3].map((n) => ({ flowId: LETTER_FLOW, input: `<Letter><No>${n}</No></Letter>`, key: `letter-${n}` }));
  const end = await lastValueFrom(client.runBatch(jobs, { concurrency: 3 }));
  expect(end.succeeded === 3 && end.failed === 0, `batch ended ${JSON.stringify({ succeeded: end.succeeded, failed: end.failed })}`);
});

await check('download', async () => {
  const output = await lastValueFrom(client.run(LETTER_FLOW, '<Letter/>', { downloadDocuments: true }));
  const doc = output.documents?.[0];
  expect(doc?.fileName === 'Letter.pdf', `documents: ${JSON.stringify(output.documents)}`);
  const text = new TextDecoder().decode(doc.data);
  expect(text === '%PDF-1.4 letter', `content: ${text}`);
  const again = await lastValueFrom(client.downloadDocument(doc.documentId));
  expect(again.data.byteLength === doc.data.byteLength, 'downloadDocument gave other bytes');
});

await check('object input through the xml entry', async () => {
  // Loaded by the core itself for an object input, and imported by name.
  const lazily = await lastValueFrom(client.run(LETTER_FLOW, { Letter: { To: 'ACME & Sons' } }));
  expect(lazily.type === 'output', 'the run with an object input did not end in output');
  const xml = toXml({ Letter: { To: 'ACME & Sons' } });
  expect(xml.includes('<To>ACME &amp; Sons</To>'), `toXml gave ${xml}`);
  const explicit = await lastValueFrom(client.run(LETTER_FLOW, xml));
  expect(explicit.type === 'output', 'the run with toXml input did not end in output');
});

await check('runBatch with a file journal, resumed', async () => {
  const path = `batch-${Date.now()}.journal`;
  const jobs = [1, 2, 3].map((n) => ({ flowId: LETTER_FLOW, input: `<Letter><No>${n}</No></Letter>`, key: `journaled-${n}` }));
  const starts = async () => (await stats()).requests.filter((r) => r.route === 'start').length;
  const before = await starts();
  const first = await lastValueFrom(client.runBatch(jobs, { journal: fileJournal(path) }));
  const between = await starts();
  const again = await lastValueFrom(client.runBatch(jobs, { journal: fileJournal(path) }));
  const after = await starts();
  expect(first.succeeded === 3 && again.succeeded === 3, `succeeded ${first.succeeded}, then ${again.succeeded}`);
  expect(again.journal?.resumed === 3, `resumed from the journal: ${again.journal?.resumed}`);
  expect(between - before === 3 && after === between, `starts: ${between - before}, then ${after - between} (the journal should answer the second batch)`);
});

await check('unsubscribe aborts the request in flight', async () => {
  // A flow that stays Running; a long poll (30 s asked) is held by the server when we leave.
  const holding = new SmartFlowsClient({ baseUrl: SIM_URL, apiKey: SIM_API_KEY, polling: { intervalMs: 20, waitSeconds: 30 } });
  const before = await stats();
  let id;
  const subscription = holding.run(SLOW_FLOW, '<Letter/>').pipe(filter((e) => e.type === 'progress'), take(5)).subscribe((e) => (id = e.executionId));
  await until((s) => s.openLongPolls === 1, 'a held long poll');
  subscription.unsubscribe();
  const after = await until((s) => s.abortedRequests > before.abortedRequests && s.openLongPolls === 0, 'the aborted request');
  // No poll after the abort: wait ten poll intervals, then count this execution's requests again.
  const count = (s) => s.requests.filter((r) => r.path.includes(id)).length;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const later = await stats();
  expect(count(later) === count(after), `${count(later) - count(after)} requests after the abort`);
  const last = after.requests.filter((r) => r.path.includes(id)).at(-1);
  expect(last.status === 0 && last.path.includes('/progress'), `last request ${JSON.stringify(last)}`);
});

// Which build of the core this runtime resolved (the Node build, dist/index.js, in both).
console.log(`core: ${import.meta.resolve('smart-flows-rx').replace(/^.*node_modules\//, '')}`);
const nodeSeen = process.versions?.node ?? 'none';
console.log(`default fetch: ${globalFetchCalls > 0 ? "the runtime's own" : 'cross-fetch'} (process.versions.node ${nodeSeen})`);
// No process.exit: the harness checks that the runtime ends by itself (no timer or socket left).
process.exitCode = failures > 0 ? 1 : 0;
