import { computed, Injectable, inject, signal } from '@angular/core';
import { injectBatch } from 'smart-flows-rx/angular';
import { toBatchView } from './batch-view';
import { DASHBOARD_CONFIG } from './dashboard-config';

/**
 * The dashboard's batch, in a root service so it keeps running while the user looks at another
 * page; it stops when the app is destroyed.
 */
@Injectable({ providedIn: 'root' })
export class BatchStore {
  readonly config = inject(DASHBOARD_CONFIG);
  readonly batch = injectBatch(this.config.jobs, { concurrency: this.config.concurrency });
  /** The batch as the page shows it. */
  readonly view = computed(() => {
    const snapshot = this.batch.snapshot();
    return snapshot ? toBatchView(snapshot, this.config.jobs) : undefined;
  });
  /** Executions whose Cancel was clicked and not yet answered by a final status. */
  readonly cancelling = signal<ReadonlySet<string>>(new Set());

  /** Runs the whole batch again (after it ended). */
  restart(): void {
    this.cancelling.set(new Set());
    this.batch.retry();
  }

  /** Cancels a job's execution; resolves when the server answered. */
  cancel(key: string, executionId: string): Promise<void> {
    this.cancelling.update((s) => new Set(s).add(executionId));
    return this.batch.cancel(key);
  }
}
