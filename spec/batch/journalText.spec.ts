import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { lastValueFrom, throwError } from 'rxjs';
import { failedOutcome } from '../../lib/batch/outcome';
import { reconcile } from '../../lib/batch/reconcile';
import { FlowExecutionError, SmartFlowsAuthError, SmartFlowsHttpError, SmartFlowsResponseError, SmartFlowsTimeoutError } from '../../lib/errors';
import { progress } from '../helpers/progress';

// What a server (or a user's function) may put in a message: it may echo a secret, so the
// journal, which the README says never holds one, keeps only the library's own words.
const SECRET = 'sk-live-0123456789abcdef';

describe('the journal keeps server text out of its records', () => {
  it('a flow that ended in Error with a message echoing the key: the outcome says the status, not the message', () => {
    const outcome = failedOutcome(new FlowExecutionError(progress('Error', 100, `key ${SECRET} refused`)));
    expect(outcome).toEqual({ state: 'failed', status: 'Error', documents: [], error: { name: 'FlowExecutionError', message: 'The flow ended with status Error' } });
  });

  it('errors of other kinds: their class, status and our own message, never their text', () => {
    const http = new SmartFlowsHttpError({ status: 400, method: 'POST', url: 'https://h/api/v1/flows/x/execute', body: `{"message":"bad key ${SECRET}"}` });
    expect(failedOutcome(http).error).toEqual({ name: 'SmartFlowsHttpError', message: 'The server answered POST with HTTP 400', httpStatus: 400 });
    for (const error of [new SmartFlowsResponseError(`unexpected ${SECRET}`), new SmartFlowsAuthError(`token ${SECRET} expired`), new SmartFlowsTimeoutError(`waited ${SECRET}`, 5000), new TypeError(`x ${SECRET}`), `plain ${SECRET}`]) {
      expect(JSON.stringify(failedOutcome(error))).not.toContain(SECRET);
    }
  });

  test.prop([fc.string({ minLength: 1 }), fc.constantFrom('Error', 'Canceled', 'Interrupted' as const)], { numRuns: 200 })('whatever a failed flow says, none of it is kept', (said, status) => {
    const marked = `<<${said}>>`;
    expect(JSON.stringify(failedOutcome(new FlowExecutionError(progress(status, 100, marked))))).not.toContain(JSON.stringify(marked).slice(1, -1));
  });

  it("an uncertain record's reason: the listing's error class and status, not its text", async () => {
    const failing = { listExecutions: () => throwError(() => new SmartFlowsResponseError(`the page said ${SECRET}`)), getExecution: () => throwError(() => new Error('unused')) };
    const found = await lastValueFrom(reconcile(failing, { flowId: 'f', xml: '<a/>', sinceMs: 0 }, new Set()));
    expect(found).toMatchObject({ kind: 'uncertain' });
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });
});
