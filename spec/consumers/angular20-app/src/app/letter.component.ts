// letter.component.ts
import { Component, input } from '@angular/core';
import { injectExecution } from 'smart-flows-rx/angular';

@Component({
  selector: 'app-letter',
  template: `
    <progress [value]="letter.percentage()" max="100"></progress>
    {{ letter.status() }} — {{ letter.message() }}
    @if (letter.status() === 'UserInput') { <button (click)="letter.submitUserInput({ approved: true })">Approve</button> }
    @if (letter.isActive()) { <button (click)="letter.cancel()">Cancel</button> }
    @for (doc of letter.documents(); track doc.id) { <span>{{ doc.displayName }}</span> }
    @if (letter.error(); as error) { <p>{{ error }}</p> <button (click)="letter.retry()">Try again</button> }
  `,
})
export class LetterComponent {
  readonly flowId = input.required<string>();   // a new flowId starts a new run
  readonly letter = injectExecution(() => ({ flowId: this.flowId(), input: '<Letter><To>Ada</To></Letter>' }));
}
