import type { HttpInterceptorFn } from '@angular/common/http';

/** The header the dashboard's interceptor adds to every request (the e2e test finds it in the server's log). */
export const REQUEST_ID_HEADER = 'X-Dashboard-Request';

let sent = 0;

/**
 * An interceptor the app registers with `provideHttpClient(withInterceptors([...]))`: it numbers
 * every request. With `withHttpClient()`, the library's requests (starts, polls, cancels, answers,
 * downloads) go through it like the app's own.
 */
export const requestIdInterceptor: HttpInterceptorFn = (request, next) =>
  next(request.clone({ setHeaders: { [REQUEST_ID_HEADER]: `dashboard-${++sent}` } }));
