import type { Routes } from '@angular/router';
import { BatchPageComponent } from './batch-page.component';
import { SingleRunComponent } from './single-run.component';

export const routes: Routes = [
  { path: '', component: BatchPageComponent, title: 'Smart Flows dashboard' },
  // One job of the batch run on its own; leaving this page stops its polling.
  { path: 'run/:key', component: SingleRunComponent, title: 'A single run' },
  { path: '**', redirectTo: '' },
];
