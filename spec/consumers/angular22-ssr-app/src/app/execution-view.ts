import { Component, input } from '@angular/core';
import type { ExecutionRef } from 'smart-flows-rx/angular';

/** What a page shows of an execution; the e2e test reads the data-* attributes. */
@Component({
  selector: 'app-execution-view',
  template: `
    <section data-testid="execution" [attr.data-status]="execution().status() ?? 'Starting'" [attr.data-active]="execution().isActive()">
      <h1>{{ execution().status() ?? 'Starting' }}</h1>
      <p data-testid="percentage">{{ execution().percentage() }} %</p>
      <p data-testid="message">{{ execution().message() }}</p>
      @if (execution().resource.status() === 'error') {
        <p role="alert">{{ execution().error() }}</p>
      }
      @for (document of execution().documents(); track document.id) {
        <span data-testid="document">{{ document.displayName }}</span>
      }
    </section>
  `,
})
export class ExecutionView {
  readonly execution = input.required<ExecutionRef>();
}
