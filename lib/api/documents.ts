import { catchError, defer, finalize, map, type Observable, of, switchMap, tap } from 'rxjs';
import * as z from 'zod/mini';
import { fileNameFromDisposition, rawFileNameFromDisposition } from '../documents/fileNameFromDisposition';
import { safeFileName } from '../documents/safeFileName';
import { SmartFlowsInputError, SmartFlowsResponseError } from '../errors';
import type { HttpResponse } from '../http/transport';
import type { SendRaw } from '../http/send';
import { checkMaxBytes } from '../options';
import type { SecretBook } from '../internal/secretBook';
import { redactingErrors, redactionOf } from './redaction';
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
  /**
   * Ends the download when the signal aborts: the request is aborted and the stream errors with
   * `SmartFlowsAbortError`. With `as: 'stream'` it covers the wait for the headers: once the
   * stream is given, cancel the stream itself. A signal already aborted sends nothing.
   * @default none
   */
  signal?: AbortSignal;
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

/** The document calls, over the API layer's `sendRaw`; their errors hide the client's `secrets`. */
export function documentCalls(sendRaw: SendRaw, style: EndpointStyle, secrets?: SecretBook) {
  const redact = redactionOf(secrets);
  const getDocument = (documentId: string): Observable<DocumentMetadata> =>
    sendRaw(() => ({ method: 'GET', path: endpoints.document(documentId) })).pipe(map((r) => parseMetadata(r.body)), redactingErrors(redact));

  /**
   * Downloads the content; the name comes from Content-Disposition, else `knownName`, else
   * the metadata's `displayName` (one more request: browsers hide the header without CORS
   * `Access-Control-Expose-Headers`), else the id; `fileName` is always one safe path segment.
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
        // Saved whole or not at all: an answer that can carry no body is no document, never an empty one.
        if (NO_DOCUMENT_STATUS.has(response.status)) throw new SmartFlowsResponseError(`The server answered ${response.status} with no document for ${documentId}`);
        const named = headerName(response) ?? givenName(knownName, documentId);
        const contentType = mediaType(response);
        if (named && contentType) return of(toDocument<DocumentDataTypes[As]>(documentId, named, contentType, response));
        let given = false;
        return getDocument(documentId).pipe(
          // The content is here; missing metadata only costs the nicer name.
          catchError(() => of(undefined)),
          map((meta) =>
            toDocument<DocumentDataTypes[As]>(
              documentId,
              named ?? givenName(meta?.displayName, documentId) ?? { fileName: documentId },
              contentType ?? (meta?.contentType || 'application/octet-stream'),
              response,
            ),
          ),
          tap(() => (given = true)),
          // A stream nobody will get (unsubscribed while the metadata was asked) lets its connection go.
          finalize(() => {
            if (!given && typeof ReadableStream !== 'undefined' && response.body instanceof ReadableStream) void response.body.cancel().catch(() => undefined);
          }),
        );
      }),
      redactingErrors(redact),
    );

  return { getDocument, downloadDocument };
}

/** Statuses whose answer has no body (204 No Content, 205 Reset Content): no document came. */
const NO_DOCUMENT_STATUS = new Set([204, 205]);

function mediaType(response: HttpResponse): string | undefined {
  const type = response.headers.get('content-type')?.trim();
  // A bare octet-stream says nothing; the metadata may know better.
  return type && !/^application\/octet-stream\b/i.test(type) ? type : undefined;
}

/** A document's name: one safe path segment, and the server's own text when it gave one. */
interface Naming {
  fileName: string;
  serverFileName?: string;
}

/** The name Content-Disposition gives (directory parts dropped, then cleaned), with the header's own text. */
function headerName(response: HttpResponse): Naming | undefined {
  const header = response.headers.get('content-disposition');
  const fileName = fileNameFromDisposition(header);
  return fileName === undefined ? undefined : { fileName, serverFileName: rawFileNameFromDisposition(header)! };
}

/** A name the server gave elsewhere (a reference's or the metadata's `displayName`), cleaned whole. */
function givenName(name: string | undefined, documentId: string): Naming | undefined {
  return name ? { fileName: safeFileName(name, documentId), serverFileName: name } : undefined;
}

// The transport gave what `as` asked for; only a Blob's type is set here, once the type is known.
function toDocument<Data>(documentId: string, naming: Naming, contentType: string, response: HttpResponse): DownloadedDocument<Data> {
  const body = response.body;
  const data = typeof Blob !== 'undefined' && body instanceof Blob && body.type !== contentType ? body.slice(0, body.size, contentType) : body;
  return { documentId, ...naming, contentType, data: data as Data };
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
