import { expect } from '@jest/globals';
import { firstValueFrom, type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { FlowExecution, FlowProgress } from '../../lib/api/types';
import { SmartFlowsClient } from '../../lib/client';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { withEngine } from '../../lib/internal/loadEngine';
import { withJournal } from '../../lib/internal/loadParts';
import { EXEC_ID } from './progress';

/**
 * Loads the client's lazily loaded parts (at the first subscription otherwise, see
 * lib/internal/lazyModule.ts), for `beforeAll`: a marble test's `run` (or journaled batch) then
 * subscribes in virtual time, as it does once an app's first call has loaded them; the first
 * call's load is outside virtual time.
 */
export const loadEngine = (): Promise<unknown> => firstValueFrom(withEngine(() => of(true)));

/** Loads the journal part (a journaled `runBatch`), as {@link loadEngine} does the engine. */
export const loadJournalPart = (): Promise<unknown> => firstValueFrom(withJournal(() => of(true)));

/** A TestScheduler whose assertions are Jest's deep equality. */
export function newTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A fake progress call: answer i is `answers[i]` (the last one repeats) after `latency` frames; records send times. */
export function fakeProgressServer(ts: TestScheduler, answers: FlowProgress[], latency = 1) {
  const sentAt: number[] = [];
  let i = 0;
  const getProgress = (): Observable<FlowProgress> => {
    sentAt.push(ts.now());
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    return ts.createColdObservable(`${'-'.repeat(latency)}(a|)`, { a: answer });
  };
  return { getProgress, sentAt };
}

/** What a {@link marbleClient}'s fake API answers: each call a cold Observable of the TestScheduler. */
export interface MarbleScript {
  progress: () => Observable<FlowProgress>;
  execution?: () => Observable<FlowExecution>;
  cancel?: () => Observable<void>;
}

/**
 * A real `SmartFlowsClient` on a `TestScheduler` whose execution calls are scripted marbles,
 * so `run`/`watch` (sharing, timeouts, cancel) are tested in virtual time. Records each call
 * as `name@frame`.
 */
export function marbleClient(ts: TestScheduler, script: MarbleScript, polling: SmartFlowsClientOptions['polling'] = {}) {
  const calls: string[] = [];
  const record = <T>(name: string, make: () => Observable<T>) => () => {
    calls.push(`${name}@${ts.now()}`);
    return make();
  };
  const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', scheduler: ts, polling: { pauseWhenHidden: false, waitSeconds: 0, ...polling } });
  const fake = {
    progress: record('progress', script.progress),
    execution: record('execution', script.execution ?? (() => ts.createColdObservable<FlowExecution>('-#', undefined, new Error('no execution')))),
    cancel: record('cancel', script.cancel ?? (() => ts.createColdObservable<void>('-(v|)', { v: undefined }))),
    start: record('start', () => ts.createColdObservable<FlowProgress>('-(a|)', { a: { id: EXEC_ID, percentage: 0, message: '', status: 'Running', rawStatus: 'Running' } })),
  };
  // The client reads its API layer only through `api`: replacing it keeps everything above real.
  const api = (client as unknown as { api: Record<string, unknown> }).api;
  Object.assign(api, fake);
  return { client, calls };
}
