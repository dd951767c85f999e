import { expect } from '@jest/globals';
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { FlowProgress } from '../../lib/api/types';

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
