import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { DASHBOARD_CONFIG } from './dashboard-config';

/** The dashboard's frame: a header and the current page (the batch, or a single run). */
@Component({
  selector: 'sf-root',
  imports: [RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top">
      <h1>Smart Flows dashboard</h1>
      <p class="top__sub">{{ config.jobs.length }} flows, {{ config.concurrency }} at a time, on <code>smart-flows-rx/angular</code></p>
    </header>
    <router-outlet />
  `,
})
export class AppComponent {
  protected readonly config = inject(DASHBOARD_CONFIG);
}
