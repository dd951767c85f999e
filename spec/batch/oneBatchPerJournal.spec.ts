import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { BatchJournal } from '../../lib/batch/journalTypes';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import { fileJournal } from '../../lib/node/fileJournal';
import { API, executionBody, FLOW_ID, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const { server, requests } = useMswServer();

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sfrx-onebatch-')), 'batch.jsonl');
const jobs = Array.from({ length: 3 }, (_, i) => ({ flowId: FLOW_ID, input: `<a n="${i}"/>`, key: `k${i}` }));
const starts = () => requests.filter((r) => r.method === 'POST').length;

/** A server whose flows run until `finish()`: then they end with Success at the next poll. */
function serve() {
  let done = false;
  let polledOnce!: () => void;
  const polled = new Promise<void>((resolve) => (polledOnce = resolve));
  let made = 0;
  const status = () => (done ? 'Success' : 'Running');
  server.use(
    // Each start creates its own execution.
    http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0, { id: `eeeeeeee-0000-4000-8000-${String(++made).padStart(12, '0')}` }))),
    http.get(`${API}/flows/executions/:id/progress`, ({ params }) => {
      polledOnce();
      return HttpResponse.json(progressBody(status(), done ? 100 : 10, { id: params.id }));
    }),
    http.get(`${API}/flows/executions/:id`, ({ params }) => HttpResponse.json(executionBody(status(), { id: params.id }))),
  );
  return { polled, finish: () => (done = true) };
}

// Attack report finding 2 (repro-11): two batches on one journal in one process both started
// every job (the file lock is shared within a process; a memory journal has none).
describe('one batch at a time per journal, within one process', () => {
  const cases: [string, () => [BatchJournal, BatchJournal]][] = [
    ['one memoryJournal used by two batches', () => { const j = memoryJournal(); return [j, j]; }],
    ['one fileJournal used by two batches', () => { const j = fileJournal(fresh()); return [j, j]; }],
    ['two fileJournal objects on one path', () => { const path = fresh(); return [fileJournal(path), fileJournal(path)]; }],
  ];
  it.each(cases)('%s: the second is refused with SmartFlowsJournalError before anything is sent; each job is started once', async (_, make) => {
    const { polled, finish } = serve();
    const [first, second] = make();
    const client = testClient();
    const firstRun = lastValueFrom(client.runBatch(jobs, { journal: first }));
    await polled;
    const sent = requests.length;
    // Its first value, or its error (before the fix: a snapshot, and its jobs started again).
    await expect(firstValueFrom(client.runBatch(jobs, { journal: second }))).rejects.toMatchObject({
      name: 'SmartFlowsJournalError',
      message: expect.stringContaining('in use by another batch in this process'),
    });
    expect(requests.length).toBe(sent);
    finish();
    await expect(firstRun).resolves.toMatchObject({ done: true, succeeded: 3 });
    expect(starts()).toBe(jobs.length);
    // Once the first has ended, the same journal (or the other object) is free: it resumes, starting nothing.
    await expect(lastValueFrom(client.runBatch(jobs, { journal: second }))).resolves.toMatchObject({ done: true, succeeded: 3, journal: { resumed: 3 } });
    expect(starts()).toBe(jobs.length);
    for (const j of [first, second]) await (j as { flushed?: () => Promise<void> }).flushed?.();
    const path = (first as { path?: string }).path;
    if (path) expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("a refused batch lets go of nothing the running one holds (the file lock stays until the running batch ends)", async () => {
    const { polled, finish } = serve();
    const path = fresh();
    const journal = fileJournal(path);
    const client = testClient();
    const firstRun = lastValueFrom(client.runBatch(jobs, { journal }));
    await polled;
    await expect(firstValueFrom(client.runBatch(jobs, { journal }))).rejects.toMatchObject({ name: 'SmartFlowsJournalError' });
    await journal.flushed();
    expect(existsSync(`${path}.lock`)).toBe(true);
    finish();
    await firstRun;
    await journal.flushed();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a batch unsubscribed frees the journal for the next one', async () => {
    const { polled, finish } = serve();
    const journal = memoryJournal();
    const client = testClient();
    const subscription = client.runBatch(jobs, { journal }).subscribe({ error: () => undefined });
    await polled;
    subscription.unsubscribe();
    finish();
    await expect(lastValueFrom(client.runBatch(jobs, { journal }))).resolves.toMatchObject({ done: true, succeeded: 3 });
    expect(starts()).toBe(jobs.length);
  });
});
