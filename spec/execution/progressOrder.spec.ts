import { beforeAll, describe, expect, it } from '@jest/globals';
import type { FlowExecution, FlowProgress } from '../../lib/api/types';
import { FlowExecutionError } from '../../lib/errors';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

beforeAll(loadEngine);

/** Runs one flow whose progress answers are `answers` in turn (the last repeats); gives each event as `status percentage message`. */
function eventsOf(answers: FlowProgress[]) {
  const ts = newTestScheduler();
  const seen: { events: string[]; error?: unknown } = { events: [] };
  ts.run(({ cold }) => {
    let i = 0;
    const { client } = marbleClient(ts, {
      progress: () => cold('-(p|)', { p: answers[Math.min(i++, answers.length - 1)]! }),
      execution: () => cold<FlowExecution>('-(e|)', { e: { id: EXEC_ID, status: 'Success', rawStatus: 'Success' } }),
    }, { intervalMs: 10, maxIntervalMs: 10 });
    client.run(FLOW_ID, '<A/>').subscribe({
      next: (e) => seen.events.push(`${e.type} ${e.progress.status} ${e.progress.percentage} ${e.progress.message}`.trim()),
      error: (e: unknown) => (seen.error = e),
    });
    ts.flush();
  });
  return seen;
}

// Suspicion (issue 24): progress going backwards (90 → 10 → Queued) was emitted as is.
// Contract: a follower's percentage never goes down; status and message are the server's.
describe('progress that goes backwards', () => {
  it('never emits a percentage lower than one already emitted; a lower one alone is no event', () => {
    const { events } = eventsOf([progress('Running', 90, 'b'), progress('Running', 10, 'b'), progress('Queued', 10, 'b'), progress('Success', 100, 'done')]);
    // Before: ['progress Running 0', 'progress Running 90 b', 'progress Running 10 b', 'progress Queued 10 b', 'progress Success 100 done', 'output Success 100 done'].
    expect(events).toEqual(['progress Running 0', 'progress Running 90 b', 'progress Queued 90 b', 'progress Success 100 done', 'output Success 100 done']);
  });

  it('still emits a change of message or status at the highest percentage seen', () => {
    const { events } = eventsOf([progress('Running', 60, 'a'), progress('Running', 20, 'retrying'), progress('Running', 70, 'b'), progress('Success', 100)]);
    expect(events).toEqual(['progress Running 0', 'progress Running 60 a', 'progress Running 60 retrying', 'progress Running 70 b', 'progress Success 100', 'output Success 100']);
  });

  it('gives the failure the highest percentage seen', () => {
    const { error } = eventsOf([progress('Running', 80), progress('Error', 0, 'failed')]);
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect((error as FlowExecutionError).progress).toMatchObject({ status: 'Error', percentage: 80, message: 'failed' });
  });
});
