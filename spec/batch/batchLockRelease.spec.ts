import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { lastValueFrom } from 'rxjs';
import type { BatchJournal } from '../../lib/batch/journalTypes';
import { fileJournal } from '../../lib/node/fileJournal';
import { EXECUTION_URL, executionBody, FLOW_ID, PROGRESS_URL, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const { server, requests } = useMswServer();

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sfrx-release-')), 'batch.jsonl');
const lockPath = (path: string) => `${path}.lock`;
const jobs = [{ flowId: FLOW_ID, input: '<a/>', key: 'a' }];

/** A server whose flows end with `status` at the first poll (`Running` forever: never). */
function serve(status: string, polled?: () => void) {
  server.use(
    http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0))),
    http.get(PROGRESS_URL, () => {
      polled?.();
      return HttpResponse.json(progressBody(status, status === 'Running' ? 10 : 100));
    }),
    http.get(EXECUTION_URL, () => HttpResponse.json(executionBody(status))),
  );
}

/** What another process on this host does when it finds the lock free: takes it (a live pid, the test runner's parent). */
const anotherProcessTakes = (path: string) =>
  writeFileSync(lockPath(path), JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-07T08:00:00.000Z' }), { flag: 'wx' });

// Follow-up of issue 25 item 1: a long-lived process that runs many batches on fileJournal kept
// each journal's lock until it exited; runBatch now lets go of it when the batch ends.
describe('runBatch lets go of the journal’s lock when the batch ends', () => {
  it('completed: the lock file is gone, another process can take the journal, and this one then finds it in use', async () => {
    serve('Success');
    const path = fresh();
    const journal = fileJournal(path);
    const last = await lastValueFrom(testClient().runBatch(jobs, { journal }));
    expect(last).toMatchObject({ done: true, succeeded: 1 });
    await journal.flushed();
    // Before the fix: the lock file was still there, holding this process's pid.
    expect(existsSync(lockPath(path)) ? JSON.parse(readFileSync(lockPath(path), 'utf8')) : 'no lock').toBe('no lock');
    anotherProcessTakes(path);
    const sent = requests.length;
    await expect(lastValueFrom(testClient().runBatch(jobs, { journal }))).rejects.toMatchObject({
      name: 'SmartFlowsJournalError',
      message: expect.stringContaining(`is in use by pid ${process.ppid}`),
    });
    expect(requests.length).toBe(sent);
    // Its own end let go of nothing it did not hold: the other process's lock stays.
    await journal.flushed();
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('two batches in sequence on one journal in one process: each takes the lock and lets go of it', async () => {
    serve('Success');
    const path = fresh();
    const journal = fileJournal(path);
    for (let round = 0; round < 2; round++) {
      await expect(lastValueFrom(testClient().runBatch(jobs, { journal }))).resolves.toMatchObject({ done: true });
      await journal.flushed();
      expect(existsSync(lockPath(path))).toBe(false);
    }
  });

  it('errored (failFast): the lock file is gone', async () => {
    serve('Error');
    const path = fresh();
    const journal = fileJournal(path);
    await expect(lastValueFrom(testClient().runBatch(jobs, { journal, failFast: true }))).rejects.toMatchObject({ name: 'SmartFlowsBatchError' });
    await journal.flushed();
    expect(existsSync(lockPath(path))).toBe(false);
  });

  it('unsubscribed while a job runs: the lock goes once the appends so far are on disk', async () => {
    let polledOnce!: () => void;
    const polled = new Promise<void>((resolve) => (polledOnce = resolve));
    serve('Running', () => polledOnce());
    const path = fresh();
    const journal = fileJournal(path);
    const subscription = testClient().runBatch(jobs, { journal }).subscribe({ error: () => undefined });
    await polled;
    expect(existsSync(lockPath(path))).toBe(true);
    subscription.unsubscribe();
    await journal.flushed();
    expect(existsSync(lockPath(path))).toBe(false);
    // What was written stays: the job's start, for a resume.
    expect(readFileSync(path, 'utf8')).toContain('"type":"started"');
  });

  it("calls a store's own release once per batch, and a release that throws or rejects changes nothing", async () => {
    serve('Success');
    for (const failing of [undefined, 'throw', 'reject'] as const) {
      const records: unknown[] = [];
      let released = 0;
      const journal: BatchJournal = {
        read: () => ({ records: records as never }),
        append: (record) => void records.push(record),
        release: () => {
          released++;
          if (failing === 'throw') throw new Error('cannot let go');
          return failing === 'reject' ? Promise.reject(new Error('cannot let go')) : undefined;
        },
      };
      await expect(lastValueFrom(testClient().runBatch(jobs, { journal }))).resolves.toMatchObject({ done: true, succeeded: 1 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(released).toBe(1);
    }
  });
});
