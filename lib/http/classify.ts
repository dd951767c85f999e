// Codes meaning the request never reached a server: safe to send again, even a POST.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT']);

/** The first `code` found along an error's `cause` chain (node-fetch and undici put it there). */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when a fetch failure proves the server never received the request. */
export function certainlyNotSent(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) return NOT_SENT.has(code);
  // Node's fetch refuses a port the Fetch standard blocks (9, 25, 6000…) before connecting,
  // with no code: its cause's message is all that tells.
  return (error as { cause?: { message?: unknown } } | undefined)?.cause?.message === 'bad port';
}
