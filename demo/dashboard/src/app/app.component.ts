import { AsyncPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { BehaviorSubject, catchError, map, of, switchMap } from 'rxjs';
import type { DocumentReference, DownloadedDocument } from 'smart-flows-rx';
import { type BatchView, type RowView, toBatchView } from './batch-view';
import { DASHBOARD_CONFIG } from './dashboard-config';
import { SmartFlowsService } from './smart-flows.service';
import { UserInputFormComponent } from './user-input-form.component';

type Screen = { view: BatchView; error?: undefined } | { view?: undefined; error: string };

/** The dashboard: one batch of flows, live, with cancel, forms and document links. */
@Component({
  selector: 'sf-root',
  imports: [AsyncPipe, UserInputFormComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.component.html',
})
export class AppComponent {
  private readonly flows = inject(SmartFlowsService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly config = inject(DASHBOARD_CONFIG);

  private readonly runs = new BehaviorSubject<number>(1);
  /** The batch as the page shows it; the async pipe subscribes, and unsubscribes (stopping every poll) on destroy. */
  protected readonly screen$ = this.runs.pipe(
    switchMap(() =>
      this.flows.runBatch(this.config.jobs, { concurrency: this.config.concurrency }).pipe(
        map((snapshot): Screen => ({ view: toBatchView(snapshot, this.config.jobs) })),
        catchError((error: unknown) => of<Screen>({ error: error instanceof Error ? error.message : String(error) })),
      ),
    ),
  );

  protected readonly cancelling = signal<ReadonlySet<string>>(new Set());
  protected readonly notice = signal<string | undefined>(undefined);

  protected restart(): void {
    this.cancelling.set(new Set());
    this.notice.set(undefined);
    this.runs.next(this.runs.value + 1);
  }

  protected cancel(row: RowView): void {
    const id = row.executionId;
    if (!id) return;
    this.cancelling.update((s) => new Set(s).add(id));
    this.flows
      .cancel(id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ error: (error: unknown) => this.fail(`Cancel of “${row.label}” failed`, error) });
  }

  protected download(document: DocumentReference, event: Event): void {
    event.preventDefault();
    this.flows
      .downloadDocument(document.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: save, error: (error: unknown) => this.fail(`Download of ${document.displayName} failed`, error) });
  }

  private fail(what: string, error: unknown): void {
    this.notice.set(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Hands the bytes to the browser as a file download. */
function save(document: DownloadedDocument): void {
  const url = URL.createObjectURL(new Blob([document.data as BlobPart], { type: document.contentType }));
  const link = Object.assign(window.document.createElement('a'), { href: url, download: document.fileName });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
