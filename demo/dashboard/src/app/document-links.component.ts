import { ChangeDetectionStrategy, Component, DestroyRef, EventEmitter, Input, Output, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { type DocumentReference, type DownloadedDocument, SmartFlowsClient } from 'smart-flows-rx';
import { describeError } from './describe-error';

/**
 * Links to the documents an execution produced. The download needs the client's credentials
 * (so it cannot be a plain `href`): the app's client fetches the bytes, the browser saves them.
 */
@Component({
  selector: 'sf-document-links',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (documents.length) {
      <p class="docs">
        @for (doc of documents; track doc.id) {
          <a href="#" class="doc" data-testid="document" (click)="download(doc, $event)">⤓ {{ doc.displayName || doc.id }}</a>
        }
      </p>
    }
  `,
})
export class DocumentLinksComponent {
  private readonly client = inject(SmartFlowsClient);
  private readonly destroyRef = inject(DestroyRef);

  // Decorator inputs: TestBed in JIT mode (no Angular compiler plugin under Jest) sees only these.
  @Input({ required: true }) documents: DocumentReference[] = [];
  /** A download that failed, in words. */
  @Output() readonly failed = new EventEmitter<string>();

  protected download(document: DocumentReference, event: Event): void {
    event.preventDefault();
    this.client
      .downloadDocument(document.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: save, error: (error: unknown) => this.failed.emit(`Download of ${document.displayName} failed: ${describeError(error)}`) });
  }
}

/** Hands the bytes to the browser as a file download. */
function save(document: DownloadedDocument): void {
  const url = URL.createObjectURL(new Blob([document.data as BlobPart], { type: document.contentType }));
  const link = Object.assign(window.document.createElement('a'), { href: url, download: document.fileName });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
