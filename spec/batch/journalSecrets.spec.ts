import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { lastValueFrom } from 'rxjs';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import { fileJournal } from '../../lib/node/fileJournal';
import { API, FLOW_ID, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';

const { server } = useMswServer();

const SECRET = 'Sup3r-S3cret-K3y_0123456789abcdef';
const ID = 'eeeeeeee-0000-4000-8000-000000000001';
const DOC = 'd0c00000-0000-4000-8000-000000000001';

const credentials: [string, Partial<SmartFlowsClientOptions>][] = [
  ['an API key', { apiKey: SECRET }],
  ['a bearer token string', { apiKey: undefined, bearerToken: SECRET }],
  ['a bearer token function', { apiKey: undefined, bearerToken: async () => SECRET }],
];

/** A server whose flow ends `status` with one document named `name` (in the progress model and the execution). */
function serve(status: 'Success' | 'Error', name: string) {
  const model = { block: { output: [{ id: DOC, displayName: name, type: 'document' }] } };
  server.use(
    http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0, { id: ID }))),
    http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(progressBody(status, 100, { id: ID, model }))),
    http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: ID, status, createdAt: '2026-12-07T08:51:00Z', state: { inputData: '<a/>', output: model } })),
  );
}

const jobs = [{ flowId: FLOW_ID, input: '<a/>', key: 'a' }];

// Attack report finding 3 (repro-1): a server that names a document after the request's key
// had the key written to the journal (the `ended` record's documents).
describe('the journal never holds a secret a server echoed into a document name', () => {
  describe.each(credentials)('with %s', (_, auth) => {
    it.each(Object.keys(ENCODINGS))('echoed %s into the name of a succeeded job\'s document', async (encoding) => {
      serve('Success', `report-${ENCODINGS[encoding]!(SECRET)}.pdf`);
      const journal = memoryJournal();
      const last = await lastValueFrom(testClient(auth).runBatch(jobs, { journal }));
      expect(last).toMatchObject({ done: true, succeeded: 1 });
      const text = JSON.stringify(journal.records);
      expect(leaksOf(text, SECRET)).toEqual([]);
      // The document is still there, under its id.
      expect(journal.records.find((r) => r.type === 'ended')).toMatchObject({ outcome: { documents: [{ id: DOC }] } });
    });
  });

  it("a failed job's documents too, and in a file journal on disk", async () => {
    serve('Error', `report-${SECRET}.pdf`);
    const path = join(mkdtempSync(join(tmpdir(), 'sfrx-secrets-')), 'batch.jsonl');
    const journal = fileJournal(path);
    const last = await lastValueFrom(testClient({ apiKey: SECRET }).runBatch(jobs, { journal }));
    expect(last).toMatchObject({ done: true, failed: 1 });
    await journal.flushed();
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('"type":"ended"');
    expect(leaksOf(text, SECRET)).toEqual([]);
  });

  it('a name without a secret is kept as the server gave it', async () => {
    serve('Success', 'Letter to ACME.pdf');
    const journal = memoryJournal();
    await lastValueFrom(testClient({ apiKey: SECRET }).runBatch(jobs, { journal }));
    expect(journal.records.find((r) => r.type === 'ended')).toMatchObject({ outcome: { documents: [{ id: DOC, displayName: 'Letter to ACME.pdf' }] } });
  });
});
