import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsResponseError } from '../../lib/index';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';
import { API, DOC_ID, DOC_ID_2, testClient, useMswServer, wire } from '../helpers/mswApi';

const server = useMswServer();
const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34]);

function documentServer(opts: { sdk?: number; guide?: number; headers?: Record<string, string>; meta?: number } = {}) {
  const seen: string[] = [];
  const content = (status: number | undefined) => ({ request }: { request: Request }) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    if (status && status !== 200) return HttpResponse.json({ message: 'no' }, { status });
    return new HttpResponse(PDF, { headers: opts.headers ?? { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="Letter.pdf"; filename*=UTF-8''L%C3%A9tter.pdf` } });
  };
  server.use(
    http.get(`${API}/documents/:id/content`, content(opts.sdk)),
    http.get(`${API}/documents/content/:id`, content(opts.guide)),
    http.get(`${API}/documents/:id`, ({ request, params }) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      if (opts.meta) return HttpResponse.json({ message: 'gone' }, { status: opts.meta });
      return HttpResponse.json({ id: params.id, displayName: 'From metadata.pdf', contentType: 'application/pdf', finished: true, expiration: '2030-01-01T00:00:00Z', size: 8 });
    }),
  );
  return seen;
}

describe('getDocument', () => {
  it('gives the metadata, keeping extra fields', async () => {
    documentServer();
    const meta = await firstValueFrom(testClient().getDocument(DOC_ID));
    expect(meta).toEqual({ id: DOC_ID, displayName: 'From metadata.pdf', contentType: 'application/pdf', finished: true, expiration: '2030-01-01T00:00:00Z', size: 8 });
  });

  it('refuses a non-GUID id before any request, and an answer without id with SmartFlowsResponseError', async () => {
    await expect(firstValueFrom(testClient().getDocument('../x'))).rejects.toBeInstanceOf(SmartFlowsInputError);
    server.use(http.get(`${API}/documents/:id`, () => HttpResponse.json({ displayName: 'x' })));
    await expect(firstValueFrom(testClient().getDocument(DOC_ID))).rejects.toBeInstanceOf(SmartFlowsResponseError);
  });
});

describe('downloadDocument', () => {
  it('gives the bytes, the RFC 5987 file name and the content type (SDK path by default)', async () => {
    const seen = documentServer();
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expect(doc).toEqual({ documentId: DOC_ID, fileName: 'Létter.pdf', serverFileName: 'Létter.pdf', contentType: 'application/pdf', data: PDF });
    expect(doc.data).toBeInstanceOf(Uint8Array);
    expect(seen).toEqual([`GET /api/v1/documents/${DOC_ID}/content`]);
  });

  it('takes the name and type from the metadata when the answer has no Content-Disposition', async () => {
    const seen = documentServer({ headers: { 'content-type': 'application/octet-stream' } });
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expect(doc).toMatchObject({ fileName: 'From metadata.pdf', contentType: 'application/pdf' });
    expect(seen).toEqual([`GET /api/v1/documents/${DOC_ID}/content`, `GET /api/v1/documents/${DOC_ID}`]);
  });

  it('still gives the content, named by its id, when the metadata cannot be read', async () => {
    documentServer({ headers: {}, meta: 404 });
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expect(doc).toMatchObject({ fileName: DOC_ID, contentType: 'application/octet-stream', data: PDF });
  });

  it.each([404, 405])('falls back once to the API guide path after a %i on the SDK path', async (status) => {
    const seen = documentServer({ sdk: status });
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expect(doc.fileName).toBe('Létter.pdf');
    expect(seen).toEqual([`GET /api/v1/documents/${DOC_ID}/content`, `GET /api/v1/documents/content/${DOC_ID}`]);
  });

  it("uses the guide path with endpointStyle 'guide', falling back to the SDK path after a 404", async () => {
    const seen = documentServer({ guide: 404 });
    await firstValueFrom(testClient({ endpointStyle: 'guide' }).downloadDocument(DOC_ID));
    expect(seen).toEqual([`GET /api/v1/documents/content/${DOC_ID}`, `GET /api/v1/documents/${DOC_ID}/content`]);
  });

  it('errors with SmartFlowsHttpError when both spellings are missing, after one request each', async () => {
    const seen = documentServer({ sdk: 404, guide: 404 });
    const error = await firstValueFrom(testClient().downloadDocument(DOC_ID)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect((error as SmartFlowsHttpError).status).toBe(404);
    expect(seen).toHaveLength(2);
  });

  /** One safe path segment: what `writeFileSync(join(dir, d.fileName), d.data)` may be given. */
  const expectOneSafeSegment = (fileName: string) => {
    expect(path.posix.basename(fileName)).toBe(fileName);
    expect(path.win32.basename(fileName)).toBe(fileName);
    expect(['', '.', '..']).not.toContain(fileName);
    expect(Buffer.byteLength(fileName)).toBeLessThanOrEqual(255);
    // eslint-disable-next-line no-control-regex
    expect(fileName).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(path.resolve('/out', fileName)).toBe(path.join('/out', fileName));
    // Windows would open a device, or drop the trailing dots and spaces.
    expect(fileName).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i);
    expect(fileName).not.toMatch(/[. ]$/);
  };

  describe.each<[string, string]>([
    ['a parent path', '../escape.pdf'],
    ['a deep parent path', '../../../../etc/cron.d/job'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows drive path', 'C:\\Windows\\x.pdf'],
    ['a Windows UNC path', '\\\\host\\share\\x.pdf'],
    ['dot-dot alone', '..'],
    ['a NUL byte', 'report.pdf\u0000.sh'],
    ['a newline', 'a\nb.pdf'],
    ['a right-to-left override', 'invoice\u202Efdp.exe'],
    ['a Windows device name', 'NUL.pdf'],
    ['trailing dots and spaces', 'report.pdf. . '],
    ['300 characters', `${'é'.repeat(300)}.pdf`],
  ])('with a displayName holding %s and no Content-Disposition', (_, displayName) => {
    it('gives fileName as one safe path segment and the server\'s name in serverFileName (metadata)', async () => {
      server.use(
        http.get(`${API}/documents/:id/content`, () => new HttpResponse(PDF, { headers: { 'content-type': 'application/pdf' } })),
        http.get(`${API}/documents/:id`, ({ params }) => HttpResponse.json({ id: params.id, displayName, contentType: 'application/pdf' })),
      );
      const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
      expectOneSafeSegment(doc.fileName);
      expect(doc.serverFileName).toBe(displayName);
    });

    it('gives fileName as one safe path segment with downloadDocuments (the reference names it)', async () => {
      server.use(
        http.post(`${API}/flows/executions`, () => HttpResponse.json(wire('Running', 10))),
        http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(wire('Success', 100, { model: { b: { id: DOC_ID, displayName, type: 'document' } } }))),
        http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: EXEC_ID, status: 'Success', state: {} })),
        http.get(`${API}/documents/:id/content`, () => new HttpResponse(PDF, { headers: { 'content-type': 'application/pdf' } })),
      );
      const output = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true }));
      const doc = output.type === 'output' ? output.documents?.[0] : undefined;
      expectOneSafeSegment(doc!.fileName);
      expect(doc!.serverFileName).toBe(displayName);
    });
  });

  it.each<[string, string]>([
    ['a quoted parent path', 'attachment; filename="../../escape.pdf"'],
    ['a UTF-8 filename* parent path', "attachment; filename*=UTF-8''..%2F..%2Fescape.pdf"],
    ['a UTF-8 filename* with NUL and a bidi override', "attachment; filename*=UTF-8''a%00b%E2%80%AEfdp.exe"],
    ['a UTF-8 filename* Windows device', "attachment; filename*=UTF-8''CON"],
    ['a UTF-8 filename* of 600 bytes', `attachment; filename*=UTF-8''${'%C3%A9'.repeat(300)}.pdf`],
  ])('makes a Content-Disposition name with %s one safe path segment', async (_, header) => {
    server.use(http.get(`${API}/documents/:id/content`, () => new HttpResponse(PDF, { headers: { 'content-type': 'application/pdf', 'content-disposition': header } })));
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expectOneSafeSegment(doc.fileName);
    expect(doc.serverFileName).toBeDefined();
  });

  it('keeps a plain name as it is, and leaves serverFileName out when the server named nothing', async () => {
    documentServer({ headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Invoice 7.pdf"' } });
    expect(await firstValueFrom(testClient().downloadDocument(DOC_ID))).toMatchObject({ fileName: 'Invoice 7.pdf', serverFileName: 'Invoice 7.pdf' });
    documentServer({ headers: {}, meta: 404 });
    const doc = await firstValueFrom(testClient().downloadDocument(DOC_ID));
    expect(doc.fileName).toBe(DOC_ID);
    expect('serverFileName' in doc).toBe(false);
  });

  it('does not fall back on a 403', async () => {
    const seen = documentServer({ sdk: 403 });
    await expect(firstValueFrom(testClient().downloadDocument(DOC_ID))).rejects.toMatchObject({ status: 403 });
    expect(seen).toHaveLength(1);
  });
});

describe('run with downloadDocuments', () => {
  function finishedFlow(status: string, model: unknown) {
    server.use(
      http.post(`${API}/flows/executions`, () => HttpResponse.json(wire('Running', 10))),
      http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(wire(status, 100, { message: 'Document created; sending the e-mail failed', model }))),
      http.get(`${API}/flows/executions/:id`, () =>
        HttpResponse.json({ id: EXEC_ID, status, state: { output: { parts: [{ model }] }, report: [{ step: 1, status }] } }),
      ),
    );
  }
  const model = {
    'block-1': { outputDocument: { id: DOC_ID, displayName: 'Contract.pdf', type: 'document' } },
    'block-2': { attachments: [{ id: DOC_ID_2, displayName: 'Terms.pdf', type: 'document' }] },
  };

  it('attaches every document, in the order found, to the output event', async () => {
    finishedFlow('Success', model);
    const seen = documentServer({ headers: { 'content-type': 'application/pdf' } });
    const events = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true }).pipe(toArray()));
    const output = events.at(-1)!;
    expect(output.type).toBe('output');
    if (output.type !== 'output') return;
    // The reference's displayName names the file: no metadata request was needed.
    expect(output.documents?.map((d) => [d.documentId, d.fileName])).toEqual([[DOC_ID, 'Contract.pdf'], [DOC_ID_2, 'Terms.pdf']]);
    expect(seen.filter((s) => !s.endsWith('/content'))).toEqual([]);
  });

  it.each([['a path', '../../x'], ['a number-like id', '42'], ['an empty-looking id', ' '], ['a GUID with a suffix', `${DOC_ID}/../x`]])(
    'keeps the output of a succeeded run whose model references a document by %s, skipping that one',
    async (_, badId) => {
      finishedFlow('Success', { ...model, 'block-3': { odd: { id: badId, displayName: 'Odd.pdf', type: 'document' } } });
      const seen = documentServer({ headers: { 'content-type': 'application/pdf' } });
      const events = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true }).pipe(toArray()));
      const output = events.at(-1)!;
      expect(output.type).toBe('output');
      if (output.type !== 'output') return;
      expect(output.documents?.map((d) => d.documentId)).toEqual([DOC_ID, DOC_ID_2]);
      // Nothing was asked for the id that is not one.
      expect(seen).toHaveLength(2);
    },
  );

  it('leaves documents out without the option', async () => {
    finishedFlow('Success', model);
    const output = await lastValueFrom(testClient().run(FLOW_ID, '<A/>'));
    expect(output.type === 'output' && output.documents).toBeUndefined();
  });

  it('gives an empty list when the execution produced none', async () => {
    finishedFlow('Success', { approved: true });
    const output = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true }));
    expect(output.type === 'output' && output.documents).toEqual([]);
  });

  it('completes a Warning with its output: status, message and report are plain on the event', async () => {
    finishedFlow('Warning', model);
    documentServer();
    const output = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true }));
    expect(output.type).toBe('output');
    if (output.type !== 'output') return;
    expect(output.progress.status).toBe('Warning');
    expect(output.progress.message).toBe('Document created; sending the e-mail failed');
    expect(output.execution.status).toBe('Warning');
    expect(output.execution.state?.report).toEqual([{ step: 1, status: 'Warning' }]);
    expect(output.documents).toHaveLength(2);
  });

  it('errors the run, with the executionId, when a download fails', async () => {
    finishedFlow('Success', model);
    documentServer({ sdk: 410 });
    const error = await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { downloadDocuments: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 410, executionId: EXEC_ID });
  });
});
