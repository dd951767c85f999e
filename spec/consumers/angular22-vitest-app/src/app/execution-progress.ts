// execution-progress.ts: watching an execution with Angular's plain rxResource, no helper.
import { Component, inject, input } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { SmartFlowsClient } from 'smart-flows-rx';

@Component({
  selector: 'app-execution-progress',
  template: `{{ progress.value()?.progress?.status ?? 'Waiting' }} {{ progress.value()?.progress?.percentage ?? 0 }} %`,
})
export class ExecutionProgress {
  readonly executionId = input.required<string>();
  private readonly client = inject(SmartFlowsClient);
  readonly progress = rxResource({ params: () => this.executionId(), stream: ({ params }) => this.client.watch(params) });
}
