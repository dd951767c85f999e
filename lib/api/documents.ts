import { catchError, map, type Observable, of, switchMap } from 'rxjs';
import * as z from 'zod/mini';
import { fileNameFromDisposition } from '../documents/fileNameFromDisposition';
import { SmartFlowsResponseError } from '../errors';
import type { HttpResponse } from '../http/transport';
import type { SendRaw } from '../http/send';
import { withFallback } from './withFallback';
import { endpoints, type EndpointStyle } from './endpoints';
import type { DownloadedDocument } from './types';

/** A document's metadata (`GET /documents/{id}`); fields the server adds are kept. */
export interface DocumentMetadata {
  id: string;
  displayName?: string;
  contentType?: string;
  /** Whether the document is complete. */
  finished?: boolean;
  /** When the server deletes it (ISO 8601). */
  expiration?: string;
  [key: string]: unknown;
}

const metadataSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  displayName: z.optional(z.nullable(z.string())),
  contentType: z.optional(z.nullable(z.string())),
});

/** The document calls, over the API layer's `sendRaw`. */
export function documentCalls(sendRaw: SendRaw, style: EndpointStyle) {
  const getDocument = (documentId: string): Observable<DocumentMetadata> =>
    sendRaw(() => ({ method: 'GET', path: endpoints.document(documentId) })).pipe(map((r) => parseMetadata(r.body)));

  /**
   * Downloads the content; the name comes from Content-Disposition, else `knownName`, else
   * the metadata's `displayName` (one more request: browsers hide the header without CORS
   * `Access-Control-Expose-Headers`), else the id.
   */
  const downloadDocument = (documentId: string, knownName?: string): Observable<DownloadedDocument> =>
    withFallback(style, (s) =>
      sendRaw(() => ({ method: 'GET', path: endpoints.documentContent(documentId, s), responseType: 'bytes' })),
    ).pipe(
      switchMap((response) => {
        const fileName = fileNameFromDisposition(response.headers.get('content-disposition')) ?? (knownName || undefined);
        const contentType = mediaType(response);
        if (fileName && contentType) return of(toDocument(documentId, fileName, contentType, response));
        return getDocument(documentId).pipe(
          // The content is here; missing metadata only costs the nicer name.
          catchError(() => of(undefined)),
          map((meta) =>
            toDocument(documentId, fileName ?? (meta?.displayName || documentId), contentType ?? (meta?.contentType || 'application/octet-stream'), response),
          ),
        );
      }),
    );

  return { getDocument, downloadDocument };
}

function mediaType(response: HttpResponse): string | undefined {
  const type = response.headers.get('content-type')?.trim();
  // A bare octet-stream says nothing; the metadata may know better.
  return type && !/^application\/octet-stream\b/i.test(type) ? type : undefined;
}

function toDocument(documentId: string, fileName: string, contentType: string, response: HttpResponse): DownloadedDocument {
  const data = response.body instanceof Uint8Array ? response.body : new Uint8Array(0);
  return { documentId, fileName, contentType, data };
}

function parseMetadata(body: unknown): DocumentMetadata {
  const result = metadataSchema.safeParse(body);
  if (!result.success) throw new SmartFlowsResponseError(`The server's answer is not a valid document`, { issues: result.error.issues });
  const { displayName, contentType, ...rest } = result.data;
  return {
    ...rest,
    id: result.data.id,
    ...(typeof displayName === 'string' ? { displayName } : {}),
    ...(typeof contentType === 'string' ? { contentType } : {}),
  };
}
