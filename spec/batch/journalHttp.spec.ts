import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { lastValueFrom } from 'rxjs';
import type { BatchJournal, JournalRecord } from '../../lib/batch/journalTypes';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import { API, EXEC_ID, executionBody, FLOW_ID, progressBody, testClient, useMswServer } from '../helpers/msw';

const { server } = useMswServer();

/** A journal on a slow store: each append resolves a few milliseconds later, and says when. */
function slowJournal(order: string[]): BatchJournal {
  const inner = memoryJournal();
  return {
    read: () => Promise.resolve(inner.read()),
    append: (record: JournalRecord) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          inner.append(record);
          order.push(`${record.type} durable`);
          resolve();
        }, 15),
      ),
  };
}

describe('runBatch with a journal, over HTTP', () => {
  it('sends the start POST only after the starting record is durable, and follows only after the started record is', async () => {
    const order: string[] = [];
    let polls = 0;
    server.use(
      http.post(`${API}/flows/executions`, () => (order.push('POST start'), HttpResponse.json(progressBody('Running', 0)))),
      http.get(`${API}/flows/executions/${EXEC_ID}/progress`, () => (order.push(`GET progress ${++polls}`), HttpResponse.json(progressBody('Success', 100)))),
      http.get(`${API}/flows/executions/${EXEC_ID}`, () => HttpResponse.json(executionBody('Success'))),
    );
    const client = testClient();
    const last = await lastValueFrom(client.runBatch([{ flowId: FLOW_ID, input: '<a/>', key: 'a' }], { journal: slowJournal(order) }));
    expect(last).toMatchObject({ done: true, succeeded: 1 });
    expect(order).toEqual(['planned durable', 'starting durable', 'POST start', 'started durable', 'GET progress 1', 'ended durable']);
  });

  it('lists the flow newest first and reads candidates for a job left starting (the reconciliation requests)', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${API}/flows/${FLOW_ID}/executions`, ({ request }) => {
        seen.push(`list ${new URL(request.url).search}`);
        return HttpResponse.json({ content: [executionBody('Success')], totalElements: 1, totalPages: 1, number: 0, size: 100 });
      }),
      http.get(`${API}/flows/executions/${EXEC_ID}`, () => (seen.push('get'), HttpResponse.json(executionBody('Success')))),
      http.get(`${API}/flows/executions/${EXEC_ID}/progress`, () => HttpResponse.json(progressBody('Success', 100))),
    );
    const client = testClient();
    const probe = memoryJournal();
    await lastValueFrom(client.runBatch([{ flowId: FLOW_ID, input: '<a/>', key: 'a' }], { journal: { read: probe.read, append: (r) => (r.type === 'planned' ? probe.append(r) : Promise.reject(new Error('stop'))) } })).catch(() => undefined);
    const journal = memoryJournal([...probe.records, { type: 'starting', at: '2024-05-01T10:00:00.000Z', key: 'a' }]);
    const last = await lastValueFrom(client.runBatch([{ flowId: FLOW_ID, input: '<a/>', key: 'a' }], { journal }));
    expect(seen[0]).toBe('list ?page=0&size=100&sort=createdAt%2Cdesc');
    expect(seen[1]).toBe('get');
    expect(last).toMatchObject({ succeeded: 1, journal: { adopted: 1 } });
    expect(last.items[0]).toMatchObject({ resumedAs: 'adopted', executionId: EXEC_ID });
  });
});
