// letter-resource.ts: a run as Angular's ResourceRef, read in the template as any Resource is.
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { executionResource } from 'smart-flows-rx/angular';

@Component({
  selector: 'app-letter-resource',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (letter.hasValue()) {
      <p>Letter {{ letter.value().id }}: {{ letter.executionStatus() }}, {{ letter.documents().length }} document(s)</p>
    } @else if (letter.error(); as error) {
      <p role="alert">{{ error.message }}</p>
      <button (click)="letter.reload()">Try again</button>
    } @else {
      <progress [value]="letter.percentage()" max="100"></progress>
      {{ letter.executionStatus() ?? 'Starting' }} {{ letter.percentage() }} % ({{ letter.status() }})
      @if (letter.executionId()) {
        <button (click)="letter.cancel()">Cancel</button>
      }
    }
  `,
})
export class LetterResource {
  readonly flowId = input.required<string>();
  readonly letter = executionResource(() => ({ flowId: this.flowId(), input: '<Letter><To>Ada</To></Letter>' }), { debugName: 'letter' });
}
