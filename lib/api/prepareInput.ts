import { defer, from, map, type Observable, of } from 'rxjs';
import { SmartFlowsInputError } from '../errors';
import { checkXml } from '../xml/checkXml';

/** What `run` and `startExecution` accept as input. */
export type FlowInput = string | Record<string, unknown>;

/** Largest input sent, in characters (a flow's input dataset, not a file upload). */
export const MAX_INPUT_LENGTH = 10 * 1024 * 1024;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * Turns an input into the XML body to send, refusing bad input before any request:
 * a string must be well-formed XML (checked strictly); a plain object becomes XML through
 * the `smart-flows-rx/xml` entry, which is loaded only then (it carries xmlbuilder2).
 */
export function prepareInput(input: unknown): Observable<string | undefined> {
  return defer(() => {
    if (input === undefined) return of(undefined);
    if (typeof input === 'string') {
      if (input.length > MAX_INPUT_LENGTH) throw new SmartFlowsInputError(`input is ${input.length} characters; the limit is ${MAX_INPUT_LENGTH}`);
      const issue = checkXml(input);
      if (issue) throw new SmartFlowsInputError(`input is not well-formed XML: ${issue.message}`, { issues: [issue] });
      return of(input);
    }
    if (isPlainObject(input)) {
      return from(import('smart-flows-rx/xml')).pipe(
        map(({ toXml }) => {
          try {
            return toXml(input, { maxLength: MAX_INPUT_LENGTH });
          } catch (cause) {
            throw new SmartFlowsInputError(`input object cannot become XML: ${(cause as Error).message}`, { cause });
          }
        }),
      );
    }
    throw new SmartFlowsInputError(`input must be an XML string or a plain object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  });
}
