// Helpers for the simulator's specs: call `simulator.handle` the way an HTTP client would.
import { SIMULATOR_API_KEY, builtInFlows, type Simulator, type SimulatorResponse } from 'smart-flows-rx/testing';

export const API = '/api/v1';
export const XML = { 'content-type': 'application/xml; charset="utf-8"' };
export const AUTH = { 'x-api-key': SIMULATOR_API_KEY };

export interface CallOptions {
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Leave out the API key. */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  raw: SimulatorResponse;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
  text: string;
}

export function parse(raw: SimulatorResponse): CallResult {
  const text = raw.body === undefined ? '' : typeof raw.body === 'string' ? raw.body : new TextDecoder().decode(raw.body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: raw.status, headers: raw.headers, raw, json, text };
}

/** Sends one request to the simulator; `path` is below `/api/v1`. */
export function call(simulator: Simulator, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  return callRaw(simulator, method, path, options).then(parse);
}

/** Like `call`, but returns the pending promise synchronously-started (for long polls). */
export function callRaw(simulator: Simulator, method: string, path: string, options: CallOptions = {}): Promise<SimulatorResponse> {
  return simulator.handle({
    method,
    url: `http://flows.test${API}${path}`,
    headers: { ...(options.anonymous ? {} : AUTH), ...options.headers },
    body: options.body,
    signal: options.signal,
  });
}

/** Starts an execution of `flowId` with a small XML input and returns its id. */
export async function startFlow(simulator: Simulator, flowId: string = builtInFlows.short.id, xml = '<Letter><To>Ann</To></Letter>'): Promise<string> {
  const res = await call(simulator, 'POST', `/flows/executions?flowId=${flowId}`, { body: xml, headers: XML });
  if (res.status !== 200) throw new Error(`start failed: ${res.status} ${res.text}`);
  return res.json.id as string;
}

export const progressOf = (simulator: Simulator, id: string, query = '') =>
  call(simulator, 'GET', `/flows/executions/${id}/progress${query}`);
