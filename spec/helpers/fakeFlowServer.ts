import { VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import type { FetchLike, SmartFlowsClientOptions } from '../../lib/options';

/** A JSON answer with this status and these headers. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A progress answer: the execution `id` Running at `percentage`. */
export const running = (id: string, percentage = 0) => json({ id, percentage, message: 'Generate document', status: 'Running' });

/** The n-th fake execution id (a GUID). */
export const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** One execution the fake server holds: `mine` when the call under test made it. */
export interface FakeExecution {
  id: string;
  createdMs: number;
  xml: string;
  mine: boolean;
}

/** Where a fake flow server's answers differ from a healthy server's. */
export interface FlowServerScript {
  /** Answers a start POST (its XML body, `made` adds an execution); may throw (a refused or reset connection). */
  start(xml: string, made: FlowServer['make']): Response | Promise<Response>;
  /** Replaces the answer to a listing page when it gives one (a failure); may throw. @default none: the page */
  listing?(page: number): Response | undefined;
  /** Which executions the listing shows. @default all of them */
  visible?(execution: FakeExecution): boolean;
  /** Replaces the answer to an execution's GET when it gives one (a failure); may throw. @default none: the execution with its input */
  read?(execution: FakeExecution): Response | undefined;
}

/** The fake server: its fetch, what it holds, and every request it got. */
export interface FlowServer {
  fetch: FetchLike;
  /** Every request, as `METHOD /path` below `/api/v1`, in order (a request that threw too). */
  log: string[];
  executions: FakeExecution[];
  /** Adds an execution, created now on the server's clock unless `createdMs` says when. */
  make(xml: string, mine: boolean, createdMs?: number): FakeExecution;
  /** The executions the call under test made. */
  mine(): FakeExecution[];
  /** The ids of the execution GETs (not progress) it got, in order. */
  reads(): string[];
  /** How many listing requests it got. */
  listings(): number;
}

/**
 * A Smart Flows server for one flow behind a fake fetch, on the clock `serverNow` (ms since the
 * epoch): start POSTs as `script.start` answers; the flow's listing newest first, in pages of the
 * size asked; an execution's GET with its input (`state.inputData`); its progress Running at 10 %;
 * 404 for anything else. The busy-start specs script their failures through `script`.
 */
export function fakeFlowServer(flowId: string, serverNow: () => number, script: FlowServerScript): FlowServer {
  const executions: FakeExecution[] = [];
  const log: string[] = [];
  const make = (xml: string, mine: boolean, createdMs = serverNow()) => {
    const e = { id: guid(executions.length + 1), createdMs, xml, mine };
    executions.push(e);
    return e;
  };
  const view = (e: FakeExecution) => ({ id: e.id, createdAt: new Date(e.createdMs).toISOString(), status: 'Running', flow: { id: flowId } });
  const listing = `/flows/${flowId}/executions`;

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace('/api/v1', '');
    log.push(`${method} ${path}`);
    if (method === 'POST' && path === '/flows/executions') return script.start(String(init?.body ?? ''), make);
    if (method === 'GET' && path === listing) {
      const page = Number(url.searchParams.get('page') ?? 0);
      const failed = script.listing?.(page);
      if (failed) return failed;
      const size = Number(url.searchParams.get('size') ?? 20);
      const items = executions.filter(script.visible ?? (() => true)).sort((a, b) => b.createdMs - a.createdMs).map(view);
      return json({ content: items.slice(page * size, (page + 1) * size), number: page, size, totalElements: items.length, totalPages: Math.ceil(items.length / size) });
    }
    const byId = /^\/flows\/executions\/([^/]+)(\/progress)?$/.exec(path);
    const found = executions.find((e) => e.id === byId?.[1]);
    if (method === 'GET' && found && byId?.[2]) return running(found.id, 10);
    if (method === 'GET' && found) return script.read?.(found) ?? json({ ...view(found), state: { inputData: found.xml } });
    return json({ message: 'not found' }, 404);
  };
  return {
    fetch,
    log,
    executions,
    make,
    mine: () => executions.filter((e) => e.mine),
    reads: () => log.flatMap((r) => /^GET \/flows\/executions\/([^/]+)$/.exec(r)?.[1] ?? []),
    listings: () => log.filter((r) => r === `GET ${listing}`).length,
  };
}

/**
 * A client on a virtual clock for the busy-start specs: its scheduler reads `t0` plus the virtual
 * frame (this machine's clock), and `serverOf` builds the fake server on that clock (and may
 * time slow answers on the scheduler: {@link answerLater}).
 */
export function virtualClient<S extends { fetch: FetchLike }>(
  t0: number,
  serverOf: (now: () => number, scheduler: VirtualTimeScheduler) => S,
  retry: NonNullable<SmartFlowsClientOptions['retry']>,
): { scheduler: VirtualTimeScheduler; server: S; client: SmartFlowsClient } {
  const scheduler = new VirtualTimeScheduler();
  scheduler.now = () => t0 + scheduler.frame;
  const server = serverOf(() => scheduler.now(), scheduler);
  const client = new SmartFlowsClient({ baseUrl: 'https://flows.busy.test', apiKey: 'sk-busy-0123456789', scheduler, fetch: server.fetch, retry });
  return { scheduler, server, client };
}

/** An answer given `delayMs` of virtual time later (a slow server): resolved by the client's scheduler, no real timer. */
export const answerLater = (scheduler: VirtualTimeScheduler, delayMs: number, answer: () => Response): Promise<Response> =>
  delayMs <= 0
    ? Promise.resolve().then(answer)
    : new Promise((resolve, reject) => {
        scheduler.schedule(() => {
          try {
            resolve(answer());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }, delayMs);
      });
