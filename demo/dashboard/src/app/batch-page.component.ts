import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { RowView } from './batch-view';
import { BatchStore } from './batch-store';
import { describeError } from './describe-error';
import { DocumentLinksComponent } from './document-links.component';
import { UserInputFormComponent } from './user-input-form.component';

/** The batch, live: a row per job with its progress, Cancel, its form and its documents. */
@Component({
  selector: 'sf-batch-page',
  imports: [DocumentLinksComponent, RouterLink, UserInputFormComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './batch-page.component.html',
})
export class BatchPageComponent {
  protected readonly store = inject(BatchStore);
  protected readonly notice = signal<string | undefined>(undefined);
  protected readonly describeError = describeError;

  protected restart(): void {
    this.notice.set(undefined);
    this.store.restart();
  }

  protected cancel(row: RowView): void {
    if (!row.executionId) return;
    this.store.cancel(row.key, row.executionId).catch((error: unknown) => this.notice.set(`Cancel of “${row.label}” failed: ${describeError(error)}`));
  }
}
