import type { StoredDocument } from '../../engine/FlowEngine.js';
import { isGuid } from '../../engine/random.js';
import { json } from '../responses.js';
import { fail, isResponse, type RouteContext, type RouteHandler, type RouteRequest } from './RouteContext.js';
import type { SimulatorResponse } from '../../types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The document named in the path, once produced and not yet expired; else the 400/404 answer. */
function findDocument(ctx: RouteContext, req: RouteRequest): StoredDocument | SimulatorResponse {
  const id = req.match.params.id ?? '';
  if (!isGuid(id)) return fail(ctx, req, 400, `Invalid document id '${id}': not a GUID`);
  const doc = ctx.engine.getDocument(id);
  if (!doc || ctx.clock.now() >= doc.finishedAtMs + ctx.documentTtlMs) {
    return fail(ctx, req, 404, `Document ${id} not found`);
  }
  return doc;
}

const bytesOf = (doc: StoredDocument): Uint8Array =>
  typeof doc.script.bytes === 'string' ? new TextEncoder().encode(doc.script.bytes) : doc.script.bytes;

/** `GET /documents/{id}`: metadata. */
export const document: RouteHandler = (ctx, req) => {
  const doc = findDocument(ctx, req);
  if (isResponse(doc)) return doc;
  return json(200, {
    id: doc.id,
    displayName: doc.script.displayName,
    contentType: doc.script.contentType,
    finished: true,
    createdAt: iso(doc.finishedAtMs),
    expiration: iso(doc.finishedAtMs + ctx.documentTtlMs),
    size: bytesOf(doc).byteLength,
    executionId: doc.record.id,
    type: 'document',
  });
};

/** `GET /documents/{id}/content` and `GET /documents/content/{id}`: the bytes, as an attachment. */
export const documentContent: RouteHandler = (ctx, req) => {
  const doc = findDocument(ctx, req);
  if (isResponse(doc)) return doc;
  return {
    status: 200,
    headers: {
      'content-type': doc.script.contentType,
      'content-disposition': contentDisposition(doc.script.displayName),
    },
    body: bytesOf(doc),
  };
};

/** An attachment header with an ASCII fallback and the exact name in RFC 5987 form. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
