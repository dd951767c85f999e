import { defer, from, map, type Observable, of } from 'rxjs';
import { SmartFlowsInputError } from '../errors';
import { checkXml } from '../xml/checkXml';
// Swapped for `./loadXmlEntry.node` in the Node builds (rollup.config.mjs): bundlers follow that one.
import { loadXmlEntry } from './loadXmlEntry';
import type { XmlConverter } from './XmlConverter';

export type { XmlConverter };

/** What `run` and `startExecution` accept as input. */
export type FlowInput = string | Record<string, unknown>;

/** Largest input sent, in characters (a flow's input dataset, not a file upload). */
export const MAX_INPUT_LENGTH = 10 * 1024 * 1024;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value));


/**
 * Turns an input into the XML body to send, refusing bad input before any request:
 * a string must be well-formed XML (checked strictly); a plain object becomes XML through
 * `toXml` when given, else through the `smart-flows-rx/xml` entry, loaded only then.
 */
export function prepareInput(input: unknown, toXml?: XmlConverter): Observable<string | undefined> {
  return defer(() => {
    if (input === undefined) return of(undefined);
    if (typeof input === 'string') {
      if (input.length > MAX_INPUT_LENGTH) throw new SmartFlowsInputError(`input is ${input.length} characters; the limit is ${MAX_INPUT_LENGTH}`);
      const issue = checkXml(input);
      if (issue) throw new SmartFlowsInputError(`input is not well-formed XML: ${issue.message}`, { issues: [issue] });
      return of(input);
    }
    if (isPlainObject(input)) {
      const converter$ = toXml
        ? of(toXml)
        : from(
            loadXmlEntry().then(
              (entry) => entry.toXml,
              (cause: unknown) => {
                throw new SmartFlowsInputError(
                  "turning an object into XML needs the smart-flows-rx/xml entry, which could not be loaded here: pass `toXml` (import { toXml } from 'smart-flows-rx/xml') in the client options, or give an XML string",
                  { cause },
                );
              },
            ),
          );
      return converter$.pipe(
        map((convert) => {
          let xml: unknown;
          try {
            xml = convert(input, { maxLength: MAX_INPUT_LENGTH });
          } catch (cause) {
            throw new SmartFlowsInputError(`input object cannot become XML: ${(cause as Error).message}`, { cause });
          }
          // A converter of the user's own is checked like any XML string.
          if (typeof xml !== 'string') throw new SmartFlowsInputError('toXml must return a string');
          const issue = toXml ? checkXml(xml) : undefined;
          if (issue) throw new SmartFlowsInputError(`toXml gave XML that is not well-formed: ${issue.message}`, { issues: [issue] });
          return xml;
        }),
      );
    }
    throw new SmartFlowsInputError(`input must be an XML string or a plain object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  });
}
