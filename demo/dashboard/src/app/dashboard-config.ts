import { InjectionToken } from '@angular/core';

/** One job of the dashboard's batch, as the server's `/dashboard-config.json` lists it. */
export interface DashboardJob {
  key: string;
  label: string;
  flowId: string;
  input: string;
}

/** What the dashboard runs: served by `serve.mjs` beside the simulator it talks to. */
export interface DashboardConfig {
  apiKey: string;
  concurrency: number;
  jobs: DashboardJob[];
}

export const DASHBOARD_CONFIG = new InjectionToken<DashboardConfig>('DASHBOARD_CONFIG');
