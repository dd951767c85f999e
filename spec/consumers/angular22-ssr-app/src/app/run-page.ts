import { Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { injectExecution } from 'smart-flows-rx/angular';
import { ExecutionView } from './execution-view';

/** Runs the route's flow: started by the browser after hydration, never by the server. */
@Component({
  imports: [ExecutionView],
  template: `<app-execution-view [execution]="run" />`,
})
export class RunPage {
  readonly run = injectExecution({ flowId: inject(ActivatedRoute).snapshot.data['flowId'] as string, input: '<Letter><To>SSR</To></Letter>' }, { debugName: 'run' });
}
