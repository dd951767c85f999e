import { Component, input, NgZone } from '@angular/core';
import { injectExecution } from 'smart-flows-rx/angular';

// The README's component (Use it (Angular)), with the percentage in figures and a few data-
// attributes for the end-to-end test.
@Component({
  selector: 'app-letter',
  template: `
    <section data-testid="letter" [attr.data-status]="letter.status()" [attr.data-angular-zone]="inAngularZone">
      <progress [value]="letter.percentage()" max="100"></progress>
      <span data-testid="percentage">{{ letter.percentage() }} %</span>
      {{ letter.status() }} — {{ letter.message() }}
      @if (letter.status() === 'UserInput') { <button (click)="letter.submitUserInput({ approved: true })">Approve</button> }
      @if (letter.isActive()) { <button (click)="letter.cancel()">Cancel</button> }
      @for (doc of letter.documents(); track doc.id) { <span data-testid="document">{{ doc.displayName }}</span> }
      @if (letter.error(); as error) { <p role="alert">{{ error }}</p> <button (click)="letter.retry()">Try again</button> }
    </section>
  `,
})
export class Letter {
  readonly flowId = input.required<string>();   // a new flowId starts a new run
  readonly letter = injectExecution(() => ({ flowId: this.flowId(), input: '<Letter><To>Ada</To></Letter>' }));
  /** True when zone.js runs Angular (NgZone), false when zoneless. */
  protected readonly inAngularZone = NgZone.isInAngularZone();
}
