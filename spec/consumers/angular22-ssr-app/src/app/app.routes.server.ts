import { RenderMode, type ServerRoute } from '@angular/ssr';

// Rendered for each request (a run or an execution is per request, never prerendered).
export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
