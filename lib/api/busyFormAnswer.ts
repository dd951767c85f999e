import { catchError, concatMap, defer, type Observable, of, type SchedulerLike, throwError, timer } from 'rxjs';
import { withErrorContext } from '../errors';
import type { NormalizedOptions } from '../options';
import { decisiveWaitMs, isBusyAnswer } from './busyStart';
import { needsUserAction } from './status';
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
 * The progress fields that name the form or its stage: two reads that differ in one of them
 * show two forms (`schema`, `form`, `currentData`: API-FACTS; the others: ids some servers add).
 */
const FORM_IDENTITY = ['schema', 'form', 'currentData', 'formId', 'formInstanceId', 'stageId'] as const;

/**
 * Whether the values sent to `form` were taken, from a progress `read` after a busy answer (the one
 * place of the rule). The form waits at a status that needs a person (`UserInput`, `SelectFlow`:
 * {@link needsUserAction}); "the same form" is every field the client keeps of the progress
 * (`parseProgress` keeps them all), compared as JSON with keys in any order:
 * - the read is not at the form's own waiting status (running, queued, waiting for an event,
 *   ended, or waiting for a person at the other status): the flow moved on, the values were
 *   taken (`'taken'`);
 * - it is at that status, every field equal: the same form still waits, nothing was taken (`'waiting'`);
 * - it differs in a field that names the form or its stage (`schema`, `form`, `currentData`,
 *   `formId`, `formInstanceId`, `stageId`): another form, the values were taken (`'taken'`);
 * - it differs in any other field (`model`, `percentage`, `message`, `modifiedAt`, …: a flow
 *   asking the same form again, or showing the answer in it): cannot tell (`'unknown'`);
 * - the form answered is not known (this client never read it): a read that waits for a person
 *   cannot tell (`'unknown'`); any other read moved on (`'taken'`).
 * Not told apart: a flow that takes the values and at once asks a form identical in every field
 * (`'waiting'`: the values are sent again), and another answer (another tab, worker or call) that
 * moved the flow on during the wait (`'taken'`, although these values were not): the progress
 * shows neither (docs/errors.md).
 */
export function formAnswerTaken(form: FlowProgress | undefined, read: FlowProgress): FormAnswerRead {
  if (form === undefined || !needsUserAction(form.status)) return needsUserAction(read.status) ? 'unknown' : 'taken';
  if (read.status !== form.status) return 'taken';
  if (same(form, read)) return 'waiting';
  return FORM_IDENTITY.some((key) => !same(form[key], read[key])) ? 'taken' : 'unknown';
}

/**
 * A form answer (`submitUserInput`'s POST) when busy answers are the client's to retry. A 429 or
 * 503 does not prove the server took nothing (a gateway may answer 503 after the backend took the
 * values, as for a start: `busyStart.ts`), so the values are never sent again blind: after the
 * backoff wait (the server's Retry-After honoured, as for any retry), one progress read (sent
 * once) decides, by {@link formAnswerTaken}:
 * - the same form still waits: the values are sent again, while `retry.maxRetries` allows; after
 *   the last busy answer, the busy error (nothing was taken);
 * - the flow moved on (ended, runs, another form): the values were taken, or another answer
 *   moved it (which the progress does not show); the call answers with that progress, as the
 *   POST would have;
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
