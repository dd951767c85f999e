import { catchError, type Observable, throwError } from 'rxjs';
import { SmartFlowsHttpError } from '../errors';
import { type EndpointStyle, otherStyle } from './endpoints';

/** Tries the configured spelling of a path, and once the other one after a 404 or 405. */
export function withFallback<T>(style: EndpointStyle, call: (style: EndpointStyle) => Observable<T>): Observable<T> {
  return call(style).pipe(
    catchError((error: unknown) =>
      error instanceof SmartFlowsHttpError && (error.status === 404 || error.status === 405)
        ? call(otherStyle(style))
        : throwError(() => error),
    ),
  );
}
