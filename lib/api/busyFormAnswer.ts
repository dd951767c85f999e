import { catchError, concatMap, defer, type Observable, of, type SchedulerLike, throwError, timer } from 'rxjs';
import { withErrorContext } from '../errors';
import type { NormalizedOptions } from '../options';
import { decisiveWaitMs, isBusyAnswer } from './busyStart';
import type { FlowProgress } from './types';

/** What a form answer answered busy needs: the POST, one read, the form it answers, the policy and its clock. */
export interface BusyFormDeps {
  /** One form POST (refused connections already retried by the http layer): the new progress, or its error. */
  post(): Observable<FlowProgress>;
  /** One progress GET, sent once (never retried: a failure makes the read uncertain). */
  read(): Observable<FlowProgress>;
  /** The form the values answer: the last progress waiting for input this client read of the execution, when it read one. Asked once, before the first POST. */
  form(): FlowProgress | undefined;
  /** The client's retry policy (`maxRetries`, backoff). */
  retry: NormalizedOptions['retry'];
  /** Times the waits. */
  scheduler: SchedulerLike;
  /** Told of each resend, with its wait (the diagnostics channel's listener). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Source of the jitter (tests inject one). @default Math.random */
  random?: () => number;
}

/** What a progress read after a busy answer says of the values: taken, not taken (the same form still waits), or cannot tell. */
export type FormAnswerRead = 'taken' | 'waiting' | 'unknown';

/**
 * Whether the values sent to `form` were taken, from a progress `read` after a busy answer (the one
 * place of the rule). "The same form" is what the progress says of it (API-FACTS: `schema`,
 * `model`, `form`, and `currentData`, the block it belongs to), where the flow is (`percentage`,
 * `message`), compared as JSON with keys in any order:
 * - the read does not wait for input (running, queued, waiting for an event, choosing a flow,
 *   ended): the flow moved on, the values were taken (`'taken'`);
 * - it waits for input with another `schema`, `form` or `currentData`: another form, the values
 *   were taken (`'taken'`);
 * - it waits with everything the same: the same form still waits, nothing was taken (`'waiting'`);
 * - it waits with the same form but another `model`, `percentage` or `message` (a flow asking the
 *   same form again, as a loop does, or one that shows the answer in it), or the form answered is
 *   not known (this client never read it): cannot tell (`'unknown'`).
 * Not told apart: a flow that takes the values and at once asks the identical form again, with
 * the same current values, percentage and message (`'waiting'`: the values would be sent again).
 */
export function formAnswerTaken(form: FlowProgress | undefined, read: FlowProgress): FormAnswerRead {
  if (read.status !== 'UserInput') return 'taken';
  if (form === undefined || form.status !== 'UserInput') return 'unknown';
  if (!same(form.schema, read.schema) || !same(form.form, read.form) || !same(form.currentData, read.currentData)) return 'taken';
  return same(form.model, read.model) && form.percentage === read.percentage && form.message === read.message ? 'waiting' : 'unknown';
}

/**
 * A form answer (`submitUserInput`'s POST) when busy answers are the client's to retry. A 429 or
 * 503 does not prove the server took nothing (a gateway may answer 503 after the backend took the
 * values, as for a start: `busyStart.ts`), so the values are never sent again blind: after the
 * backoff wait (the server's Retry-After honoured, as for any retry), one progress read (sent
 * once) decides, by {@link formAnswerTaken}:
 * - the same form still waits: the values are sent again, while `retry.maxRetries` allows; after
 *   the last busy answer, the busy error (nothing was taken);
 * - the flow moved on (ended, runs, another form): the values were taken; the call answers with
 *   that progress, as the POST would have;
 * - cannot tell (the read failed, or a form the rule cannot tell from the first): nothing is sent
 *   again; the busy error carries `answerMayBeTaken: true`.
 * At most `retry.maxRetries + 1` POSTs and one read per busy answer; nothing of this runs unless
 * the POST was answered busy.
 */
export function busyFormAnswer(deps: BusyFormDeps): Observable<FlowProgress> {
  const { retry, scheduler, random = Math.random } = deps;
  return defer(() => {
    const form = deps.form();
    const attempt = (busyAnswers: number): Observable<FlowProgress> =>
      deps.post().pipe(
        catchError((error: unknown) => {
          if (!isBusyAnswer(error)) return throwError(() => error);
          const n = busyAnswers + 1;
          const delayMs = decisiveWaitMs(n, retry, error.retryAfterMs, random);
          const uncertain = () => throwError(() => withErrorContext(error, { answerMayBeTaken: true }));
          return timer(delayMs, scheduler).pipe(
            concatMap(() => deps.read().pipe(catchError(() => of(undefined)))),
            concatMap((read) => {
              switch (read === undefined ? 'unknown' : formAnswerTaken(form, read)) {
                case 'taken':
                  return of(read!);
                case 'waiting':
                  if (n > retry.maxRetries) return throwError(() => error);
                  deps.onRetry?.(error, n, delayMs);
                  return attempt(n);
                case 'unknown':
                  return uncertain();
              }
            }),
          );
        }),
      );
    return attempt(0);
  });
}

/** The same JSON value, object keys in any order (what a server may reorder between two reads). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
