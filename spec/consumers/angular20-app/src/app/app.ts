import { Component } from '@angular/core';
import { Letter } from './letter';

/** The simulator's "Short letter" flow (builtInFlows.short). */
const LETTER_FLOW = '5f1a0000-0000-4000-8000-000000000001';

@Component({
  selector: 'app-root',
  imports: [Letter],
  template: `<h1>Letter to Ada</h1> <app-letter [flowId]="flowId" />`,
})
export class App {
  protected readonly flowId = LETTER_FLOW;
}
