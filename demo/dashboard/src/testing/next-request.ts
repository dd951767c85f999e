import type { HttpTestingController, TestRequest } from '@angular/common/http/testing';

/** The next request the testing backend holds; the client sends it after a few promise callbacks or a short timer. */
export async function nextRequest(http: HttpTestingController, timeoutMs = 2_000): Promise<TestRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [pending] = http.match(() => true);
    if (pending) return pending;
    if (Date.now() > deadline) throw new Error('no request reached HttpClient');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
