import { Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { injectExecution } from 'smart-flows-rx/angular';
import { ExecutionView } from './execution-view';

/** Watches an execution that exists: the server renders one snapshot of it (withServerRendering). */
@Component({
  imports: [ExecutionView],
  template: `<app-execution-view [execution]="execution" />`,
})
export class WatchPage {
  readonly execution = injectExecution({ executionId: inject(ActivatedRoute).snapshot.paramMap.get('id')! }, { debugName: 'watch' });
}
