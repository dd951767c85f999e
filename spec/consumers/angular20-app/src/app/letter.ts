import { Component, NgZone } from '@angular/core';
import { LetterComponent } from './letter.component';

// The README's quick-start component (letter.component.ts, byte for byte as printed there) as the
// app runs it: the same class (its input and its injectExecution), with a template that adds the
// percentage in figures and a few data- attributes for the end-to-end test.
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
export class Letter extends LetterComponent {
  /** True when zone.js runs Angular (NgZone), false when zoneless. */
  protected readonly inAngularZone = NgZone.isInAngularZone();
}
