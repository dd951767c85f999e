import type { SimulatorResponse } from '../types.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A JSON answer with `Content-Type: application/json`. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** An error answer in the Spring Boot shape a Java server sends: timestamp, status, error, message, path. */
export function errorResponse(
  status: number,
  message: string,
  context: { path: string; nowMs: number },
  headers: Record<string, string> = {},
): SimulatorResponse {
  return json(
    status,
    {
      timestamp: new Date(context.nowMs).toISOString(),
      status,
      error: REASONS[status] ?? 'Error',
      message,
      path: context.path,
    },
    headers,
  );
}
