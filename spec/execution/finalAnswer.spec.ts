import { beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { inspect } from 'node:util';
import { tap } from 'rxjs';
import type { FlowExecution } from '../../lib/api/types';
import { FlowExecutionError, SmartFlowsResponseError } from '../../lib/errors';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';
import { API_KEY, errorOf, EXECUTION_URL, executionBody, PROGRESS_URL, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const OTHER_ID = '11111111-2222-4333-8444-555555555555';
const polling = { intervalMs: 10, maxIntervalMs: 10 };
const execution = (status: FlowExecution['status'], id = EXEC_ID): FlowExecution => ({ id, status, rawStatus: status });

beforeAll(loadEngine);

/** Runs one flow whose progress says Success and whose final GET answers `final`; gives the events' types and the error. */
function runWithFinal(final: FlowExecution) {
  const ts = newTestScheduler();
  const seen: { types: string[]; error?: unknown; calls: string[] } = { types: [], calls: [] };
  ts.run(({ cold }) => {
    const { client, calls } = marbleClient(ts, {
      progress: () => cold('-(s|)', { s: progress('Success', 100) }),
      execution: () => cold('-(e|)', { e: final }),
    }, polling);
    client.run(FLOW_ID, '<A/>').subscribe({ next: (e) => seen.types.push(e.type), error: (e: unknown) => (seen.error = e) });
    ts.flush();
    seen.calls = calls;
  });
  return seen;
}

// Issue 24 item 8: the final GET is checked as progress answers are.
describe('the final GET of a run', () => {
  // The check of the answer's id is the API layer's (spec/api/executionAnswer.spec.ts; over HTTP
  // below): here the fake API refuses as the real one does, and the run ends with that error.
  it('ends with the SmartFlowsResponseError of a refused final GET (another execution): no output', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const refusal = new SmartFlowsResponseError(`The server answered with another execution (${OTHER_ID})`, { executionId: EXEC_ID });
      const { client } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100) }),
        execution: () => cold('-#', undefined, refusal),
      }, polling);
      const seen: { types: string[]; error?: unknown } = { types: [] };
      client.run(FLOW_ID, '<A/>').subscribe({ next: (e) => seen.types.push(e.type), error: (e: unknown) => (seen.error = e) });
      ts.flush();
      expect(seen.types).toEqual(['progress', 'progress']);
      expect(seen.error).toBe(refusal);
    });
  });

  it('follows the server when it says Error after a Success progress: FlowExecutionError, no output', () => {
    const seen = runWithFinal(execution('Error'));
    expect(seen.types).toEqual(['progress', 'progress']);
    expect(seen.error).toBeInstanceOf(FlowExecutionError);
    expect((seen.error as FlowExecutionError).progress.status).toBe('Error');
    expect((seen.error as FlowExecutionError).execution?.status).toBe('Error');
  });

  it('keeps polling when it says the execution still runs, and ends with what the server then says', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      let reads = 0;
      const { client, calls } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100) }),
        execution: () => cold('-(e|)', { e: execution(++reads === 1 ? 'Running' : 'Success') }),
      }, polling);
      const types: string[] = [];
      let error: unknown;
      client.run(FLOW_ID, '<A/>').subscribe({ next: (e) => types.push(e.type), error: (e: unknown) => (error = e) });
      ts.flush();
      expect(error).toBeUndefined();
      expect(types.at(-1)).toBe('output');
      expect(calls.filter((c) => c.startsWith('execution'))).toHaveLength(2);
    });
  });

  // Attack follow-up item 7 (repro-4): a lagging read replica. Before the fix the same
  // progress:Success event was emitted every cycle and the run never ended (2 requests a cycle).
  it('says Success once and ends with SmartFlowsResponseError after 3 final GETs in a row say Running', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100, 'done') }),
        execution: () => cold('-(e|)', { e: execution('Running') }),
      }, polling);
      const events: string[] = [];
      let error: unknown;
      // timeoutMs only bounds the test (the unchanged code never ended).
      const sub = client.run(FLOW_ID, '<A/>', { timeoutMs: 2_000 }).subscribe({
        next: (e) => events.push(`${e.type}:${e.progress.status}`),
        error: (e: unknown) => (error = e),
      });
      ts.flush();
      sub.unsubscribe();
      expect(events).toEqual(['progress:Running', 'progress:Success']);
      expect(error).toBeInstanceOf(SmartFlowsResponseError);
      expect(error).toMatchObject({ executionId: EXEC_ID });
      expect((error as Error).message).toMatch(/says Success.*Running/);
      expect(calls.filter((c) => c.startsWith('execution'))).toHaveLength(3);
    });
  });

  it('counts only contradictions in a row: a progress that runs again starts the count anew', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      // Success, Success, Running, Success, Success, then the GET agrees.
      const script = ['Success', 'Success', 'Running', 'Success', 'Success'] as const;
      let polls = 0;
      let reads = 0;
      const { client } = marbleClient(ts, {
        progress: () => {
          const status = script[Math.min(polls++, script.length - 1)]!;
          return cold('-(s|)', { s: progress(status, status === 'Running' ? 90 : 100) });
        },
        execution: () => cold('-(e|)', { e: execution(++reads <= 4 ? 'Running' : 'Success') }),
      }, polling);
      const events: string[] = [];
      let error: unknown;
      client.run(FLOW_ID, '<A/>', { timeoutMs: 2_000 }).subscribe({ next: (e) => events.push(`${e.type}:${e.progress.status}`), error: (e: unknown) => (error = e) });
      ts.flush();
      expect(error).toBeUndefined();
      expect(events).toEqual(['progress:Running', 'progress:Success', 'progress:Running', 'progress:Success', 'output:Success']);
    });
  });

  it('reads Warning on the final GET as output too (both are success)', () => {
    const seen = runWithFinal(execution('Warning'));
    expect(seen.error).toBeUndefined();
    expect(seen.types.at(-1)).toBe('output');
  });
});

// The same over HTTP (msw): with downloadDocuments, another execution's documents are not fetched.
describe('the final GET of a run over HTTP', () => {
  const { server, requests } = useMswServer();
  const OTHER_DOC = '22222222-3333-4444-8555-666666666666';

  it('answered with another execution (status Error, with a document): SmartFlowsResponseError, no output, no download', async () => {
    server.use(
      http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0))),
      http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Success', 100))),
      http.get(EXECUTION_URL, () =>
        HttpResponse.json(executionBody('Error', { id: OTHER_ID, state: { output: { letter: { id: OTHER_DOC, displayName: 'Other.pdf', type: 'document' } } } })),
      ),
    );
    const events: string[] = [];
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>', { downloadDocuments: true }).pipe(tap((e) => events.push(e.type))));
    // Before the fix: the client downloaded Other.pdf for the output event (msw, which has no such
    // document, refused the request: SmartFlowsNetworkError).
    expect(events).not.toContain('output');
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error).toMatchObject({ executionId: EXEC_ID });
    expect(requests.some((r) => r.url.includes(OTHER_DOC))).toBe(false);
  });
});

// Follow-up of issue 24 item 9: a FlowExecutionError built from a Success progress and the final
// GET's failure status carried the Success progress's text, which no redaction had read.
describe('the final GET says a failure after a Success progress that echoed the key', () => {
  const { server } = useMswServer();

  it.each(Object.keys(ENCODINGS))('%s: the FlowExecutionError holds nothing of it', async (name) => {
    const echo = ENCODINGS[name]!(API_KEY);
    server.use(
      http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0))),
      http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Success', 100, { message: `Done for key ${echo}`, note: echo }))),
      http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Error'))),
    );
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status: 'Error', progress: { status: 'Error', percentage: 100 } });
    const text = [error.message, error.stack, String(error), JSON.stringify(error), inspect(error, { depth: Infinity })].join('\n');
    expect(leaksOf(text, API_KEY)).toEqual([]);
  });
});
