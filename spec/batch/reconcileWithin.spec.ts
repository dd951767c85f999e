import { describe, expect, it } from '@jest/globals';
import { lastValueFrom, of, throwError } from 'rxjs';
import { reconcileWithin } from '../../lib/batch/reconcile';
import type { ExecutionPage, ListExecutionsOptions } from '../../lib/api/listings';
import type { FlowExecution } from '../../lib/api/types';
import { FLOW_ID } from '../helpers/progress';

// The bounded look a busy start uses (api/busyStart.ts): a window on the server's clock, a few
// listing pages, a few GETs, newest first; past a bound without a match it cannot tell.

const XML = '<Invoice><No>1</No></Invoice>';
const T = Date.parse('2026-12-07T14:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** `count` executions a second apart, newest first (T, T−1 s…); `mine` has this input; `sorted: false` lists them oldest first. */
function server(count: number, mine?: number, sorted = true) {
  const all: FlowExecution[] = Array.from({ length: count }, (_, n) => ({ id: id(n), status: 'Running', rawStatus: 'Running', createdAt: new Date(T - n * 1000).toISOString() }));
  const listed = sorted ? all : [...all].reverse();
  const lists: number[] = [];
  const gets: string[] = [];
  const deps = {
    listExecutions: (o: ListExecutionsOptions) => {
      lists.push(o.page!);
      const page: ExecutionPage = { items: listed.slice(o.page! * o.size!, (o.page! + 1) * o.size!), page: o.page!, size: o.size!, totalPages: Math.ceil(count / o.size!) };
      return of(page);
    },
    getExecution: (eid: string) => {
      gets.push(eid);
      return of({ ...all.find((e) => e.id === eid)!, state: { inputData: { xml: eid === id(mine ?? -1) ? XML : '<Other/>' } } });
    },
  };
  return { deps, lists, gets };
}
const limits = { maxPages: 3, maxReads: 16 };

describe('reconcileWithin (a busy start\'s bounded look)', () => {
  it('a window from the server\'s time: only executions created at or after cutoffMs are read', async () => {
    const { deps, lists, gets } = server(500);
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: 0, cutoffMs: T - 9_500 }, new Set(), limits));
    expect(result).toEqual({ kind: 'none' });
    expect(lists).toEqual([0]);
    expect(gets).toEqual(Array.from({ length: 10 }, (_, n) => id(n)));
  });

  it('more candidates than maxReads: the newest 16 are read, one listing page, then it cannot tell', async () => {
    const { deps, lists, gets } = server(500);
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: T }, new Set(), limits));
    expect(result).toMatchObject({ kind: 'uncertain', reason: expect.stringMatching(/more than 16 executions/) });
    expect(lists).toEqual([0]);
    expect(gets).toEqual(Array.from({ length: 16 }, (_, n) => id(n)));
  });

  it('the match among the newest 16 is adopted, even with more candidates in the window', async () => {
    const { deps, gets } = server(500, 3);
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: T }, new Set(), limits));
    expect(result).toEqual({ kind: 'adopt', executionId: id(3) });
    expect(gets).toHaveLength(4);
  });

  it('a listing that ignores the sort: read newest first all the same once every page is in (within maxPages)', async () => {
    const { deps, lists, gets } = server(250, 249, false);
    // Oldest first: no page can end the window early; 3 pages hold all 250.
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: 0, cutoffMs: T - 5_500 }, new Set(), limits));
    expect(result).toEqual({ kind: 'none' });
    expect(lists).toEqual([0, 1, 2]);
    expect(gets).toEqual(Array.from({ length: 6 }, (_, n) => id(n)));
  });

  it('a window reaching beyond maxPages pages of executions this client knows: it cannot tell, nothing read', async () => {
    const { deps, lists, gets } = server(500);
    const known = new Set(Array.from({ length: 500 }, (_, n) => id(n)));
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: T }, known, limits));
    expect(result).toMatchObject({ kind: 'uncertain', reason: expect.stringMatching(/more than 300 executions/) });
    expect(lists).toEqual([0, 1, 2]);
    expect(gets).toEqual([]);
  });
});

describe('reconcileWithin: an execution GET that fails', () => {
  // 5 executions in the window, the 3rd (id 2) has the input; the newest one's GET fails (a 503).
  const failingFirst = () => {
    const s = server(5, 2);
    const get = s.deps.getExecution;
    s.deps.getExecution = (eid: string) => (eid === id(0) ? (s.gets.push(eid), throwError(() => new Error('503'))) : get(eid)) as ReturnType<typeof get>;
    return s;
  };

  it('with stopAtFailedRead (a busy start\'s look): uncertain at once, nothing more read', async () => {
    const { deps, gets } = failingFirst();
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: 0, cutoffMs: T - 10_000 }, new Set(), { ...limits, stopAtFailedRead: true }));
    expect(result).toMatchObject({ kind: 'uncertain', candidateIds: [id(0)] });
    expect(gets).toEqual([id(0)]);
  });

  it('without it (a batch\'s reconcile): the others are read, and a match is adopted', async () => {
    const { deps, gets } = failingFirst();
    const result = await lastValueFrom(reconcileWithin(deps, { flowId: FLOW_ID, xml: XML, sinceMs: 0, cutoffMs: T - 10_000 }, new Set(), limits));
    expect(result).toEqual({ kind: 'adopt', executionId: id(2) });
    expect(gets).toEqual([id(0), id(1), id(2)]);
  });
});
