import { Component } from '@angular/core';

@Component({
  selector: 'app-root',
  template: `<h1>smart-flows-rx with Vitest</h1>`,
})
export class App {}
