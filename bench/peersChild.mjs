// Part 6 (bench/peers.mjs): one strategy in a process of its own, so `process.cpuUsage()` is that
// strategy's client CPU alone. Driven over IPC: `run` (warm up, then report ready), `go` (follow
// every execution, each at its offset from the common start), then the figures back.
//
// Every strategy is fed the same fetch: the runtime's own (undici), behind a counter of
// progress GETs per execution id and the bench's one retry of a request put on a socket the
// server had closed while idle (`send`, bench/pollingBaselines.mjs). Every strategy starts an
// execution with the same POST, follows it its own way, and, once it sees a terminal status,
// sends the same final GET of the execution (what our `run` does to emit its output): lag is
// measured when that answer is read, for every row alike.
//
// How each peer is configured (the way its README or reference documentation shows it):
//  - `@azure/core-lro` 3: `createHttpPoller` over a `RunningOperation` whose initial response
//    carries our progress URL as `Operation-Location` (the LRO pattern the package implements),
//    whose `sendPollRequest` GETs it and maps our status onto the Azure vocabulary (Succeeded,
//    Failed, Canceled, Running). No `intervalInMs`: its default (2 s) applies, and a
//    `Retry-After` on a poll answer replaces it (the simulator sends none on progress answers).
//    `resolveOnUnsuccessful: true` so a failed flow ends the poll instead of throwing;
//    `resourceLocationConfig: 'operation-location'` so it sends no GET of its own at the end.
//  - `@smithy/util-waiter` 4: `createWaiter` with `waiterServiceDefaults` (minDelay 2 s,
//    maxDelay 120 s, exponential backoff with jitter, first check at once), maxWaitTime 10 min,
//    an acceptor returning SUCCESS on Success/Warning, FAILURE on the other terminal statuses,
//    RETRY otherwise (as the AWS SDK v3 generated waiters do).
//  - `@tanstack/query-core` 5: one `QueryClient` per process (as an app has), a `QueryObserver`
//    per execution with `refetchInterval: (query) => terminal ? false : 1000` (the function form
//    its docs show for "poll until done"). Node counts as a server for query-core, where it
//    schedules no refetch timers; `environmentManager.setIsServer(() => false)` (its documented
//    override) makes it behave as in a browser tab.
//  - `rx-polling` 1: `polling(request$, { interval })`, 5 s (its README's example) and 1 s, until
//    a terminal status (`takeWhile(…, true)`); it reads `document` for tab visibility, so this
//    process gets a visible `document` stand-in (an EventTarget with `hidden: false`).
//  - a plain `timer(0, 1000).pipe(switchMap(getProgress), takeWhile(notTerminal, true))`.
//  - the vendor's samples: fixed 200 ms (Java, with `?timeout=-1`) and fixed 1 s (C#) loops
//    (bench/pollingBaselines.mjs, as in part 1).
//  - smart-flows-rx: `client.run` with the default polling (`waitSeconds: 'auto'`) and with
//    `waitSeconds: 30`, a client created after the warm-up (it pays for learning the server).
import { setMaxListeners } from 'node:events';
import { createHttpPoller } from '@azure/core-lro';
import { WaiterState, createWaiter } from '@smithy/util-waiter';
import { QueryClient, QueryObserver, environmentManager } from '@tanstack/query-core';
import rxPollingModule from 'rx-polling';
import { defer, firstValueFrom, last, switchMap, takeWhile, timer } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { sleep } from './common.mjs';
import { baselineStrategies, followWithFetchLoop, isTerminal, send } from './pollingBaselines.mjs';

const PROGRESS_URL = /\/flows\/executions\/([0-9a-f-]{36})\/progress/i;
const counts = new Map();
const runtimeFetch = globalThis.fetch;
/** The one fetch every strategy uses: counts progress GETs per execution id. */
const countingFetch = (url, init) => {
  const match = PROGRESS_URL.exec(String(url));
  if (match && (init?.method ?? 'GET') === 'GET') counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  return runtimeFetch(url, init);
};
// The vendor loops (pollingBaselines.mjs) and `send` call the global fetch: make it this one.
globalThis.fetch = countingFetch;

/** The same HTTP calls for every peer: start, one progress GET, the final GET. */
function api({ url, apiKey }) {
  const base = `${url}/api/v1`;
  const headers = { 'X-API-Key': apiKey, Accept: 'application/json' };
  const json = async (res, what) => {
    if (!res.ok) throw new Error(`${what} answered ${res.status}`);
    return res.json();
  };
  return {
    progressUrl: (id) => `${base}/flows/executions/${id}/progress`,
    headers,
    start: async (flowId) =>
      json(await send(`${base}/flows/executions?flowId=${flowId}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/xml; charset="utf-8"' },
        body: '<Input/>',
      }), 'start'),
    progress: async (id, signal) => json(await send(`${base}/flows/executions/${id}/progress`, { headers, signal }), 'progress'),
    final: async (id) => json(await send(`${base}/flows/executions/${id}`, { headers }), 'final GET'),
  };
}

const azureStatus = (status) => {
  const s = String(status).toLowerCase();
  if (s === 'success' || s === 'warning') return 'Succeeded';
  if (s === 'error' || s === 'interrupted') return 'Failed';
  if (s === 'canceled') return 'Canceled';
  return 'Running';
};

/** The strategies: each `(server) => (flowId) => Promise<execution id>`, done after the final GET. */
const STRATEGIES = {
  lro: (server) => {
    const http = api(server);
    return async (flowId) => {
      let id;
      const poller = createHttpPoller({
        sendInitialRequest: async () => {
          const started = await http.start(flowId);
          id = started.id;
          return {
            flatResponse: started,
            rawResponse: { statusCode: 202, request: { method: 'POST', url: `${server.url}/api/v1/flows/executions` }, headers: { 'operation-location': http.progressUrl(id) }, body: started },
          };
        },
        sendPollRequest: async (path, options) => {
          const res = await send(path, { headers: http.headers, signal: options?.abortSignal });
          if (!res.ok) throw new Error(`progress answered ${res.status}`);
          const body = await res.json();
          return {
            flatResponse: body,
            rawResponse: { statusCode: res.status, request: { method: 'GET', url: path }, headers: Object.fromEntries(res.headers), body: { ...body, status: azureStatus(body.status) } },
          };
        },
      }, { resourceLocationConfig: 'operation-location', resolveOnUnsuccessful: true });
      await poller.pollUntilDone();
      await http.final(id);
      return id;
    };
  },
  waiter: (server) => {
    const http = api(server);
    return async (flowId) => {
      const { id } = await http.start(flowId);
      const result = await createWaiter({ client: http, maxWaitTime: 600 }, id, async (client, executionId) => {
        const progress = await client.progress(executionId);
        if (!isTerminal(progress.status)) return { state: WaiterState.RETRY };
        return { state: azureStatus(progress.status) === 'Succeeded' ? WaiterState.SUCCESS : WaiterState.FAILURE };
      });
      if (result.state !== WaiterState.SUCCESS && result.state !== WaiterState.FAILURE) throw new Error(`waiter ended ${result.state}`);
      await http.final(id);
      return id;
    };
  },
  query: (server) => {
    environmentManager.setIsServer(() => false);
    const http = api(server);
    const queryClient = new QueryClient();
    return async (flowId) => {
      const { id } = await http.start(flowId);
      await new Promise((resolve, reject) => {
        const observer = new QueryObserver(queryClient, {
          queryKey: ['progress', id],
          queryFn: ({ signal }) => http.progress(id, signal),
          refetchInterval: (query) => (query.state.data && isTerminal(query.state.data.status) ? false : 1000),
        });
        const unsubscribe = observer.subscribe((result) => {
          if (result.data && isTerminal(result.data.status)) {
            unsubscribe();
            resolve();
          } else if (result.status === 'error') {
            unsubscribe();
            reject(result.error);
          }
        });
      });
      queryClient.removeQueries({ queryKey: ['progress', id] });
      await http.final(id);
      return id;
    };
  },
  rxp5: (server) => rxPolling(server, 5000),
  rxp1: (server) => rxPolling(server, 1000),
  timer: (server) => {
    const http = api(server);
    return async (flowId) => {
      const { id } = await http.start(flowId);
      await firstValueFrom(timer(0, 1000).pipe(
        switchMap(() => http.progress(id)),
        takeWhile((p) => !isTerminal(p.status), true),
        last(),
      ));
      await http.final(id);
      return id;
    };
  },
  v200: (server) => vendorLoop(server, 'a'),
  v1s: (server) => vendorLoop(server, 'b'),
  d: (server) => ours(server, undefined),
  e: (server) => ours(server, { waitSeconds: 30 }),
};

function rxPolling(server, interval) {
  // rx-polling pauses while `document.hidden`; Node has no document: a visible tab's stand-in.
  // Each `polling` adds a listener for as long as it runs: many at once are expected here.
  if (!globalThis.document) {
    globalThis.document = Object.assign(new globalThis.EventTarget(), { hidden: false });
    setMaxListeners(0, globalThis.document);
  }
  const polling = rxPollingModule.default ?? rxPollingModule;
  const http = api(server);
  return async (flowId) => {
    const { id } = await http.start(flowId);
    await firstValueFrom(polling(defer(() => http.progress(id)), { interval }).pipe(
      takeWhile((p) => !isTerminal(p.status), true),
      last(),
    ));
    await http.final(id);
    return id;
  };
}

function vendorLoop(server, key) {
  const strategy = baselineStrategies(0).find((s) => s.key === key);
  return async (flowId) => {
    const { id } = await followWithFetchLoop({ baseUrl: server.url, apiKey: server.apiKey, flowId, delayBefore: strategy.delays(), query: strategy.query });
    return id;
  };
}

function ours(server, polling) {
  // Created when called: after the warm-up a fresh client is made (see `fresh` below).
  let client;
  const follow = (flowId) =>
    new Promise((resolve, reject) => {
      let id;
      client.run(flowId, '<Input/>').subscribe({
        next: (event) => (id = event.executionId),
        // An Error outcome ends `run` with FlowExecutionError: expected, not an error of the strategy.
        error: (error) => (error?.name === 'FlowExecutionError' ? resolve(id ?? error.executionId) : reject(error)),
        complete: () => resolve(id),
      });
    });
  follow.fresh = () => (client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey, fetch: countingFetch, polling }));
  follow.fresh();
  return follow;
}

let follow;
const cpuMicros = (since) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

const handlers = {
  async run({ strategy, server, warmUpFlowId }) {
    follow = STRATEGIES[strategy](server);
    // Warm-up: JIT, sockets, module caches; not counted.
    await Promise.all(Array.from({ length: 4 }, (_, i) => sleep(i * 100).then(() => follow(warmUpFlowId))));
    follow.fresh?.();
    counts.clear();
    return true;
  },
  async go({ flows, startAtMs }) {
    await sleep(Math.max(0, startAtMs - Date.now()));
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const results = await Promise.all(flows.map(async ({ id: flowId, offsetMs }) => {
      await sleep(t0 + offsetMs - Date.now());
      try {
        const id = await follow(flowId);
        return { id, doneAtMs: Date.now() };
      } catch (error) {
        return { doneAtMs: Date.now(), error: String(error?.message ?? error) };
      }
    }));
    const cpu = cpuMicros(cpu0);
    return { cpuMicros: cpu, results: results.map((r) => ({ ...r, requests: r.id ? counts.get(r.id) ?? 0 : undefined })) };
  },
};

// The bench ends this process by killing it; if the bench itself dies, do not linger.
process.on('disconnect', () => process.exit(0));

process.on('message', async ({ id, type, args }) => {
  try {
    process.send({ id, ok: true, value: await handlers[type](args ?? {}) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
