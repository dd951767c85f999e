import { from, map, type Observable, of } from 'rxjs';
import { type FlowInput, SmartFlowsInputError, type XmlConverter } from 'smart-flows-rx';

/** Largest object input turned into XML, as the client's own limit. */
const MAX_INPUT_LENGTH = 10 * 1024 * 1024;

/**
 * The XML a job's input is sent as, computed once: reconciliation compares an execution's
 * `state.inputData` with exactly this text. A string is sent as it is (the client checks it);
 * an object goes through `toXml`, by default the `smart-flows-rx/xml` entry, loaded only then.
 */
export function jobXml(input: FlowInput | undefined, toXml: XmlConverter | undefined): Observable<string | undefined> {
  if (input === undefined || typeof input === 'string') return of(input);
  const converter$ = toXml ? of(toXml) : from(import('smart-flows-rx/xml').then((entry) => entry.toXml as XmlConverter));
  return converter$.pipe(
    map((convert) => {
      try {
        return convert(input, { maxLength: MAX_INPUT_LENGTH });
      } catch (cause) {
        throw new SmartFlowsInputError(`the job's input cannot become XML: ${(cause as Error).message}`, { cause });
      }
    }),
  );
}
