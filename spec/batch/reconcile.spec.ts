import { describe, expect, it } from '@jest/globals';
import { lastValueFrom, of, throwError } from 'rxjs';
import { reconcile, RECONCILE_SKEW_MS, sameInput } from '../../lib/batch/reconcile';
import type { ExecutionPage, ListExecutionsOptions } from '../../lib/api/listings';
import type { FlowExecution } from '../../lib/api/types';
import { FLOW_ID } from '../helpers/progress';

const XML = '<Invoice><No>1</No></Invoice>';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = (ms: number) => new Date(ms).toISOString();

describe('sameInput', () => {
  it.each([
    [XML, true],
    [`<?xml version="1.0" encoding="utf-8"?>\n<Invoice>\n  <No>1</No>\n</Invoice>\n`, true],
    ['<Invoice><No>2</No></Invoice>', false],
    [{ rootElement: 'Invoice', xml: XML }, true],
    [{ rootElement: 'Invoice', xml: '<Invoice/>' }, false],
    [{ Invoice: { No: 1 } }, undefined],
    [{}, undefined],
    [undefined, undefined],
    [42, undefined],
  ])('compares inputData %j with the job XML: %s', (inputData, expected) => {
    expect(sameInput(inputData, XML)).toBe(expected);
  });

  it('matches a job without input only to an execution without input data', () => {
    expect(sameInput({}, undefined)).toBe(true);
    expect(sameInput(undefined, undefined)).toBe(true);
    expect(sameInput(XML, undefined)).toBe(false);
  });
});

describe('reconcile', () => {
  const T = Date.parse('2026-12-01T12:00:00Z');
  /** 250 executions a second apart, newest first, none with this input; a listing that pages them. */
  function server(count: number) {
    const all: FlowExecution[] = Array.from({ length: count }, (_, n) => ({ id: id(n), status: 'Running', rawStatus: 'Running', createdAt: at(T - n * 1000) }));
    const lists: ListExecutionsOptions[] = [];
    const gets: string[] = [];
    const deps = {
      listExecutions: (o: ListExecutionsOptions) => {
        lists.push(o);
        const page: ExecutionPage = { items: all.slice(o.page! * o.size!, (o.page! + 1) * o.size!), page: o.page!, size: o.size! };
        return of(page);
      },
      getExecution: (eid: string) => (gets.push(eid), of({ ...all.find((e) => e.id === eid)!, state: { inputData: { xml: '<Other/>' } } })),
    };
    return { deps, lists, gets };
  }

  it('reads pages newest first until one reaches before the window, and fetches only unknown executions in it', async () => {
    const { deps, lists, gets } = server(4_000);
    const sinceMs = T - 10_000;
    const known = new Set([id(0), id(1)]);
    const result = await lastValueFrom(reconcile(deps, { flowId: FLOW_ID, xml: XML, sinceMs }, known));
    expect(result).toEqual({ kind: 'none' });
    // Window: 10 s + the skew allowance, one execution a second.
    const inWindow = (10_000 + RECONCILE_SKEW_MS) / 1000 + 1;
    expect(lists.map((l) => l.page)).toEqual(Array.from({ length: Math.ceil(inWindow / 100) }, (_, i) => i));
    expect(gets).toHaveLength(inWindow - known.size);
  });

  it('finds the execution of a server whose clock runs 10 minutes behind (it used to say none: the job was started again)', async () => {
    const { deps } = server(1_000);
    // The start was sent at T by this machine's clock; the server stamped it 10 minutes earlier.
    const ours = id(600);
    deps.getExecution = (eid: string) => of({ id: eid, status: 'Running', rawStatus: 'Running', createdAt: at(T - 600_000), state: { inputData: { xml: eid === ours ? XML : '<Other/>' } } });
    const result = await lastValueFrom(reconcile(deps, { flowId: FLOW_ID, xml: XML, sinceMs: T }, new Set()));
    expect(result).toEqual({ kind: 'adopt', executionId: ours });
  });

  it('is uncertain when a candidate cannot be fetched, naming it', async () => {
    const { deps } = server(3);
    deps.getExecution = (eid: string) => throwError(() => new Error(`no ${eid}`));
    expect(await lastValueFrom(reconcile(deps, { flowId: FLOW_ID, xml: XML, sinceMs: T }, new Set()))).toEqual({
      kind: 'uncertain',
      reason: 'the input of 3 execution(s) could not be read or compared',
      candidateIds: [id(0), id(1), id(2)],
    });
  });
});
