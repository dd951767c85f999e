import {
  isFlowExecutionError,
  isSmartFlowsAuthError,
  isSmartFlowsBatchError,
  isSmartFlowsHttpError,
  isSmartFlowsInputError,
  isSmartFlowsNetworkError,
  isSmartFlowsResponseError,
  isSmartFlowsTimeoutError,
} from '../index';
import { isFinalFailure } from '../batch/outcome';
import { messageWithoutNote } from '../errors';
import { EXIT } from './exitCodes';

/**
 * The exit code an error stands for: 2 for input the client refused before sending; 3 when the
 * credentials were refused or the server could not be reached and nothing can have started; 4
 * when a start was sent and its outcome is unknown (the execution may exist); 1 for everything
 * the server or the flow did (a failed flow, an execution that outlived `--timeout`, a 404, a 500).
 * Final or not is the library's one rule, {@link isFinalFailure}.
 * @param startSent - the command sent a start (`run`, `batch`): a failure without an execution id may then have started one
 */
export function exitCodeOf(error: unknown, startSent = false): number {
  const cause = isSmartFlowsBatchError(error) ? (error as { cause?: unknown }).cause : error;
  if (isSmartFlowsInputError(cause)) return EXIT.usage;
  if (isSmartFlowsAuthError(cause)) return EXIT.unreachable;
  if (isSmartFlowsHttpError(cause) && (cause.status === 401 || cause.status === 403)) return EXIT.unreachable;
  const { executionId, executionMayExist } = (cause ?? {}) as { executionId?: string; executionMayExist?: boolean };
  // Not a final outcome, no execution known, and the start may have created one: a run timed
  // out before the start answered is such a case even when the error does not say so.
  const notFinal = executionId === undefined && !isFinalFailure(cause, executionId);
  if (notFinal && (executionMayExist === true || (startSent && isSmartFlowsTimeoutError(cause)))) return EXIT.mayExist;
  if (isSmartFlowsNetworkError(cause)) return EXIT.unreachable;
  // A request that timed out before any execution existed, and no start sent: the server did not answer.
  if (isSmartFlowsTimeoutError(cause) && !executionId) return EXIT.unreachable;
  return EXIT.failed;
}

/** The status a failed run ended in (`Error`, `Canceled`…), or a word for what went wrong. */
export function failureStatus(error: unknown): string {
  if (isFlowExecutionError(error)) return error.status;
  if (isSmartFlowsTimeoutError(error)) return 'TimedOut';
  if (isSmartFlowsHttpError(error)) return `HTTP ${error.status}`;
  return (error as { name?: string })?.name ?? 'Failed';
}

/**
 * One line for a person: the error's message, which never holds a credential, without the
 * library's "see listExecutions" note (the command says where to look in its own words: `smart-flows list`).
 */
export function describe(error: unknown): string {
  if (isFlowExecutionError(error)) return error.progress.message || `ended with status ${error.status}`;
  if (isSmartFlowsHttpError(error) && (error.status === 401 || error.status === 403)) {
    return `the server refused the credentials (${error.status}): check SMART_FLOWS_API_KEY / SMART_FLOWS_TOKEN`;
  }
  if (isSmartFlowsNetworkError(error)) {
    // A start that was sent (exit 4): the server was reached, the connection broke afterwards.
    return `${error.executionMayExist === true ? 'the connection broke after the start was sent' : 'cannot reach the server'}: ${messageWithoutNote(error)}`;
  }
  if (isSmartFlowsHttpError(error)) {
    const said = serverMessage(error.body);
    return said ? `${messageWithoutNote(error)}: ${said}` : messageWithoutNote(error);
  }
  return error instanceof Error ? messageWithoutNote(error) : String(error);
}

/**
 * What happened to a start that was sent and whose outcome is unknown (exit 4), in a few words
 * that fit after "an execution may exist": an answer that came is said as such (its status, or
 * that it could not be read); only a start with no answer "never came".
 */
export function sentStartOutcome(error: unknown): string {
  const cause = isSmartFlowsBatchError(error) ? (error as { cause?: unknown }).cause : error;
  if (isSmartFlowsNetworkError(cause)) return 'the connection broke after the start was sent';
  if (isSmartFlowsHttpError(cause)) return `the server answered the start ${cause.status === 503 || cause.status === 429 ? 'busy ' : ''}(HTTP ${cause.status})`;
  if (isSmartFlowsResponseError(cause)) return 'the server answered the start, but its answer could not be read';
  return 'the start was sent and its answer never came';
}

/** What the server said in an error answer: its JSON `message` (or `error`), else the text, on one line. */
function serverMessage(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') return '';
  let text = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    text = String(parsed.message ?? parsed.error ?? body);
  } catch {
    // not JSON: the text itself
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The error as one JSON-friendly object (`--json`), without stack or credentials. */
export function errorJson(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; executionId?: string; status?: unknown };
  return {
    error: e?.name ?? 'Error',
    message: describe(error),
    ...(e?.executionId ? { executionId: e.executionId } : {}),
    ...((e as { executionMayExist?: boolean })?.executionMayExist === true ? { executionMayExist: true } : {}),
    ...(isFlowExecutionError(error) || isSmartFlowsHttpError(error) ? { status: e.status } : {}),
  };
}

/** Showing a result failed (an answer the output cannot print or encode): the command exits 1 with this message. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/**
 * `render`, with whatever it throws turned into an {@link OutputError} ("cannot show the
 * outcome: …"). Used inside the pipe (`tap(showing(render))`), so a failure to print reaches
 * the command's error path and its exit code instead of escaping after the exit.
 */
export function showing<T>(render: (value: T) => void): (value: T) => void {
  return (value) => {
    try {
      render(value);
    } catch (cause) {
      throw new OutputError(`cannot show the outcome: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  };
}
