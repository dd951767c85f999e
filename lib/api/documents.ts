import { catchError, defer, finalize, map, type Observable, of, switchMap, tap } from 'rxjs';
import * as z from 'zod/mini';
import { fileNameFromDisposition } from '../documents/fileNameFromDisposition';
import { SmartFlowsInputError, SmartFlowsResponseError } from '../errors';
import type { HttpResponse } from '../http/transport';
import type { SendRaw } from '../http/send';
import { checkMaxBytes } from '../options';
import { withFallback } from './withFallback';
import { endpoints, type EndpointStyle } from './endpoints';
import type { DownloadedDocument } from './types';

/** A document's metadata (`GET /documents/{id}`); fields the server adds are kept. */
export interface DocumentMetadata {
  /** The document's id (a GUID), as in the references a flow gives. */
  id: string;
  /** The document's name for people, usually a file name; absent when the server gave none. */
  displayName?: string;
  /** The content's media type (e.g. `application/pdf`); absent when the server gave none. */
  contentType?: string;
  /** Whether the document is complete. */
  finished?: boolean;
  /** When the server deletes it (ISO 8601). */
  expiration?: string;
  [key: string]: unknown;
}

/** How `downloadDocument` gives the content: bytes (`Uint8Array`), a `Blob`, or a `ReadableStream` once the headers are in. */
export type DownloadAs = 'bytes' | 'blob' | 'stream';

/** The type of `data` for each way of giving the content. */
export interface DocumentDataTypes {
  /** `as: 'bytes'` (the default): the whole content in memory. */
  bytes: Uint8Array;
  /** `as: 'blob'`: the whole content as a `Blob` typed with the document's content type. */
  blob: Blob;
  /** `as: 'stream'`: the content as it arrives, given once the headers are in; read it to the end or `cancel()` it. */
  stream: ReadableStream<Uint8Array>;
}

/** Options of `downloadDocument(documentId, options)`. */
export interface DownloadOptions<As extends DownloadAs = DownloadAs> {
  /**
   * Largest content read; past it the download fails with `SmartFlowsResponseError` (a declared
   * Content-Length past it is refused before its body is read). @default the client's `maxDownloadBytes` (100 MB)
   */
  maxBytes?: number;
  /**
   * How `data` is given: `'bytes'` a `Uint8Array`; `'blob'` a `Blob` (typed with the content type);
   * `'stream'` a `ReadableStream<Uint8Array>` given as soon as the headers are in, read at your
   * pace — read it to the end or `cancel()` it, which lets the connection go. @default 'bytes'
   */
  as?: As;
}

/** `downloadDocument` of the API layer; `knownName` is used when the answer names no file, before asking the metadata. */
export type DownloadDocument = <As extends DownloadAs = 'bytes'>(
  documentId: string,
  knownName?: string,
  options?: DownloadOptions<As>,
) => Observable<DownloadedDocument<DocumentDataTypes[As]>>;

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
  const downloadDocument = <As extends DownloadAs = 'bytes'>(
    documentId: string,
    knownName?: string,
    options: DownloadOptions<As> = {},
  ): Observable<DownloadedDocument<DocumentDataTypes[As]>> =>
    defer(() => {
      const { as = 'bytes', maxBytes } = checkDownloadOptions(options);
      return withFallback(style, (s) =>
        sendRaw(() => ({ method: 'GET', path: endpoints.documentContent(documentId, s), responseType: as, ...(maxBytes ? { maxBytes } : {}) })),
      );
    }).pipe(
      switchMap((response) => {
        const fileName = fileNameFromDisposition(response.headers.get('content-disposition')) ?? (knownName || undefined);
        const contentType = mediaType(response);
        if (fileName && contentType) return of(toDocument<DocumentDataTypes[As]>(documentId, fileName, contentType, response));
        let given = false;
        return getDocument(documentId).pipe(
          // The content is here; missing metadata only costs the nicer name.
          catchError(() => of(undefined)),
          map((meta) =>
            toDocument<DocumentDataTypes[As]>(documentId, fileName ?? (meta?.displayName || documentId), contentType ?? (meta?.contentType || 'application/octet-stream'), response),
          ),
          tap(() => (given = true)),
          // A stream nobody will get (unsubscribed while the metadata was asked) lets its connection go.
          finalize(() => {
            if (!given && typeof ReadableStream !== 'undefined' && response.body instanceof ReadableStream) void response.body.cancel().catch(() => undefined);
          }),
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

// The transport gave what `as` asked for; only a Blob's type is set here, once the type is known.
function toDocument<Data>(documentId: string, fileName: string, contentType: string, response: HttpResponse): DownloadedDocument<Data> {
  const body = response.body;
  const data = typeof Blob !== 'undefined' && body instanceof Blob && body.type !== contentType ? body.slice(0, body.size, contentType) : body;
  return { documentId, fileName, contentType, data: data as Data };
}

function checkDownloadOptions(options: DownloadOptions): DownloadOptions {
  if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('downloadDocument options must be an object');
  const { as, maxBytes } = options;
  if (as !== undefined && as !== 'bytes' && as !== 'blob' && as !== 'stream') throw new SmartFlowsInputError(`as must be 'bytes', 'blob' or 'stream'`);
  if (as === 'blob' && typeof Blob === 'undefined') throw new SmartFlowsInputError(`as: 'blob' needs a platform with Blob`);
  if (as === 'stream' && typeof ReadableStream === 'undefined') throw new SmartFlowsInputError(`as: 'stream' needs a platform with ReadableStream`);
  return { ...(as ? { as } : {}), ...(maxBytes !== undefined ? { maxBytes: checkMaxBytes(maxBytes, 'maxBytes') } : {}) };
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
