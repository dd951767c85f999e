import type { Routes } from '@angular/router';
import { RunPage } from './run-page';
import { WatchPage } from './watch-page';
import { LETTER_FLOW, QUOTE_FLOW } from './flows';

export const routes: Routes = [
  { path: '', component: RunPage, data: { flowId: LETTER_FLOW } },
  { path: 'quote', component: RunPage, data: { flowId: QUOTE_FLOW } },
  { path: 'watch/:id', component: WatchPage },
];
