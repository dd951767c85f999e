import type { Observable } from 'rxjs';
import type { Send, Sender } from '../http/send';
import { withEngine } from '../internal/loadEngine';
import { withDocuments, withListings, withLoginPart } from '../internal/loadParts';
import type { ApiSettings, HttpSettings } from '../options';
import type { DocumentMetadata, DownloadDocument } from './documents';
import type { ExecutionApi } from './ExecutionApi';
import type { ExecutionFilter, ExecutionPage, ListExecutionsOptions } from './listings';
import type { LoginCredentials, LoginToken } from './login';

export type { ExecutionApi };

/** The calls beyond following an execution: documents, listings, login. */
export interface ExtraApi {
  getDocument(documentId: string): Observable<DocumentMetadata>;
  downloadDocument: DownloadDocument;
  listExecutions(options: ListExecutionsOptions): Observable<ExecutionPage>;
  /** `POST /flows/executions/filter`: one page of the executions a filter matches (the listing tracker's feed). */
  filterExecutions(filter: ExecutionFilter, options: Pick<ListExecutionsOptions, 'page' | 'size' | 'sort'>): Observable<ExecutionPage>;
  /** Sent without the client's credentials. */
  login(credentials: LoginCredentials): Observable<LoginToken>;
}

/** The whole API layer the client wires: every call, and `send` for anything else. */
export type SmartFlowsApi = ExecutionApi & ExtraApi & { send: Send };

/**
 * Endpoints and schemas over the http layer (which owns transport, retries and request time):
 * the client's API layer. It schedules no timer and never sees the credentials.
 *
 * A facade: each call is a cold Observable that loads the part holding it at subscription
 * (the engine for the execution calls, a chunk each for documents, listings and login; see
 * `internal/lazyModule.ts`), so the zod schemas and the calls' code are not in a browser app's
 * initial bundle. Once loaded, a call behaves exactly as a statically imported one.
 * @param http - the retry policy and scheduler a start answered busy waits by before it is looked up (see `api/busyStart.ts`)
 */
export function createApi(sender: Sender, settings: ApiSettings, http?: Pick<HttpSettings, 'retry' | 'scheduler'>): SmartFlowsApi {
  const { send, sendRaw, sendAnonymous } = sender;
  const listExecutions: ExtraApi['listExecutions'] = (listOptions) => withListings((l) => l.listExecutionsCall(send, listOptions, settings.secrets));
  // A busy start's look sends each listing page once: a failure makes it uncertain (api/busyStart.ts).
  const sendOnce: Send = (build) => send(build, 'once');
  const listOnce: ExtraApi['listExecutions'] = (listOptions) => withListings((l) => l.listExecutionsCall(sendOnce, listOptions, settings.secrets));
  // Built once per client, from the loaded module.
  let calls: ExecutionApi | undefined;
  let documents: ReturnType<typeof import('./documents').documentCalls> | undefined;
  // A start answered busy is looked up through the listing before it is sent again (api/busyStart.ts).
  const withCalls = <T>(use: (api: ExecutionApi) => Observable<T>) =>
    withEngine((e) => use((calls ??= e.executionCalls(send, settings, http ? { listExecutions: listOnce, http } : undefined))));
  const withDocumentCalls = <T>(use: (api: NonNullable<typeof documents>) => Observable<T>) =>
    withDocuments((d) => use((documents ??= d.documentCalls(sendRaw, settings.endpointStyle, settings.secrets))));

  return {
    send,
    start: (flowId, xml, skipUserInput, retryBusy) => withCalls((api) => api.start(flowId, xml, skipUserInput, retryBusy)),
    progress: (executionId, waitSeconds) => withCalls((api) => api.progress(executionId, waitSeconds)),
    execution: (executionId) => withCalls((api) => api.execution(executionId)),
    cancel: (executionId) => withCalls((api) => api.cancel(executionId)),
    submitUserInput: (executionId, values) => withCalls((api) => api.submitUserInput(executionId, values)),
    getDocument: (documentId) => withDocumentCalls((api) => api.getDocument(documentId)),
    downloadDocument: (documentId, knownName, options) => withDocumentCalls((api) => api.downloadDocument(documentId, knownName, options)),
    listExecutions,
    filterExecutions: (filter, listOptions) => withListings((l) => l.filterExecutionsCall(send, filter, listOptions, settings.secrets)),
    login: (credentials) => withLoginPart((l) => l.loginCall(sendAnonymous, credentials, settings.secrets)),
  };
}

// Where they used to live; new code imports them from the http layer.
export type { Send, SendRaw } from '../http/send';
