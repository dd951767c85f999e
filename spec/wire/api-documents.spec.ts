import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import crossFetch from 'cross-fetch';
import { findDocuments, SmartFlowsHttpError, type FetchLike } from 'smart-flows-rx';
import { fastFlows, useSimulatorServer, wireClient } from '../helpers/wireApi';

const server = useSimulatorServer();
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function outputOf(flowId: string, downloadDocuments = false, fetch?: FetchLike) {
  const event = await lastValueFrom(wireClient(server(), fetch ? { fetch } : {}).run(flowId, '<Pack/>', { downloadDocuments }));
  if (event.type !== 'output') throw new Error('expected the output event');
  return event;
}

describe('documents over the wire', () => {
  it('run with downloadDocuments attaches all three documents of the contract pack', async () => {
    const output = await outputOf(fastFlows.multiDocument.id, true);
    expect(output.documents?.map((d) => [d.fileName, d.contentType])).toEqual([
      ['Contract.pdf', 'application/pdf'],
      ['Terms.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['Cover letter.pdf', 'application/pdf'],
    ]);
    expect(text(output.documents![0]!.data)).toMatch(/^%PDF-1\.4/);
    expect([...output.documents![1]!.data.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  });

  it('findDocuments finds the same references in the progress model and in the execution', async () => {
    const output = await outputOf(fastFlows.multiDocument.id);
    const fromProgress = findDocuments(output.progress);
    expect(fromProgress.map((d) => d.displayName)).toEqual(['Contract.pdf', 'Terms.docx', 'Cover letter.pdf']);
    expect(findDocuments(output.execution)).toEqual(fromProgress);
  });

  it.each([
    ['the global fetch', globalThis.fetch as FetchLike],
    ['cross-fetch', crossFetch as FetchLike],
  ])('downloadDocument and getDocument work with %s', async (_, fetch) => {
    const output = await outputOf(fastFlows.short.id);
    const [ref] = findDocuments(output.progress);
    const client = wireClient(server(), { fetch });
    const doc = await firstValueFrom(client.downloadDocument(ref!.id));
    expect(doc).toMatchObject({ documentId: ref!.id, fileName: 'Letter.pdf', contentType: 'application/pdf' });
    expect(doc.data).toBeInstanceOf(Uint8Array);
    expect(text(doc.data)).toContain('/Title (Letter)');
    const meta = await firstValueFrom(client.getDocument(ref!.id));
    expect(meta).toMatchObject({ id: ref!.id, displayName: 'Letter.pdf', contentType: 'application/pdf', finished: true });
  });

  it("downloads on the API guide's path with endpointStyle 'guide'", async () => {
    const output = await outputOf(fastFlows.short.id);
    const [ref] = findDocuments(output.progress);
    const doc = await firstValueFrom(wireClient(server(), { endpointStyle: 'guide' }).downloadDocument(ref!.id));
    expect(doc.fileName).toBe('Letter.pdf');
    expect(server().simulator.requests.at(-1)?.path).toBe(`/api/v1/documents/content/${ref!.id}`);
  });

  it('a document that does not exist is a SmartFlowsHttpError 404 (after trying both spellings)', async () => {
    const error = await firstValueFrom(wireClient(server()).downloadDocument('0b4c3d2e-1f00-4a00-8000-0000000000ff')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect((error as SmartFlowsHttpError).status).toBe(404);
  });

  it('a Warning completes with its output, its message, its report and its document', async () => {
    const output = await outputOf(fastFlows.warning.id, true);
    expect(output.progress.status).toBe('Warning');
    expect(output.progress.message).toBe('Document created; sending the e-mail failed');
    expect(output.execution.status).toBe('Warning');
    // The report (which steps ran, and how) travels with the output event.
    expect(output.execution.state?.report).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'Send e-mail', status: 'Warning' })]));
    expect(output.documents?.map((d) => d.fileName)).toEqual(['Letter.pdf']);
  });
});
