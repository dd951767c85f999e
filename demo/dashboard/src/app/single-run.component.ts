import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import { isFlowExecutionError } from 'smart-flows-rx';
import { injectExecution } from 'smart-flows-rx/angular';
import { DASHBOARD_CONFIG } from './dashboard-config';
import { describeError } from './describe-error';
import { DocumentLinksComponent } from './document-links.component';
import { UserInputFormComponent } from './user-input-form.component';

/**
 * One job of the batch run on its own, with `injectExecution`: the route's `key` picks the job
 * (another key starts another run); leaving the page stops the polling, and the execution goes
 * on on the server.
 */
@Component({
  selector: 'sf-single-run',
  imports: [DocumentLinksComponent, RouterLink, UserInputFormComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/" data-testid="back">← Back to the batch</a></p>
    @if (job(); as job) {
      <section class="row single" data-testid="single-run" [attr.data-key]="job.key" [attr.data-status]="run.status() ?? 'Starting'" [attr.data-execution-id]="run.executionId()">
        <div class="row__head">
          <span class="row__label">{{ job.label }}, on its own</span>
          <span class="status status--{{ (run.status() ?? 'starting').toLowerCase() }}" data-testid="status">{{ run.status() ?? 'Starting' }}</span>
          <span class="row__pct">{{ run.percentage() }} %</span>
          @if (run.isActive() && run.executionId()) {
            <button type="button" class="cancel" data-testid="cancel" [disabled]="cancelling()" (click)="cancel()">{{ cancelling() ? 'Cancelling…' : 'Cancel' }}</button>
          }
        </div>
        <div class="bar" role="progressbar" [attr.aria-label]="job.label" [attr.aria-valuenow]="run.percentage()" aria-valuemin="0" aria-valuemax="100">
          <div class="bar__fill" [style.width.%]="run.percentage()"></div>
        </div>
        <p class="row__message" data-testid="message">{{ failure() ?? run.message() }}</p>
        @if (run.status() === 'UserInput' && run.progress(); as progress) {
          <sf-user-input-form [executionId]="progress.id" [progress]="progress" />
        }
        <sf-document-links [documents]="run.documents()" (failed)="notice.set($event)" />
        @if (!run.isActive() && run.error()) {
          <button type="button" class="restart" (click)="retry()">Try again</button>
        }
      </section>
    } @else {
      <p class="notice" role="alert">No job “{{ key() }}” in this batch.</p>
    }
    @if (notice(); as message) {
      <p class="notice" role="alert">{{ message }}</p>
    }
  `,
})
export class SingleRunComponent {
  private readonly jobs = inject(DASHBOARD_CONFIG).jobs;
  protected readonly key = toSignal(inject(ActivatedRoute).paramMap.pipe(map((params) => params.get('key') ?? '')), { initialValue: '' });
  protected readonly job = computed(() => this.jobs.find((j) => j.key === this.key()));
  /** The run follows the route: another key leaves this run and starts that job. */
  protected readonly run = injectExecution(() => {
    const job = this.job();
    return job ? { flowId: job.flowId, input: job.input } : null;
  });
  protected readonly cancelling = signal(false);
  protected readonly notice = signal<string | undefined>(undefined);
  /** A failure that is not the flow's own final status (a refused start, a lost connection). */
  protected readonly failure = computed(() => {
    const error = this.run.error();
    return error && !isFlowExecutionError(error) ? describeError(error) : undefined;
  });

  protected cancel(): void {
    this.cancelling.set(true);
    this.run.cancel().catch((error: unknown) => {
      this.cancelling.set(false);
      this.notice.set(`Cancel failed: ${describeError(error)}`);
    });
  }

  protected retry(): void {
    this.cancelling.set(false);
    this.notice.set(undefined);
    this.run.retry();
  }
}
