import {
  type BatchItem,
  type BatchSnapshot,
  type DocumentReference,
  type FlowProgress,
  findDocuments,
  isFlowExecutionError,
  isSmartFlowsHttpError,
  isTerminalStatus,
} from 'smart-flows-rx';
import type { DashboardJob } from './dashboard-config';

/** One row of the dashboard: a batch item with what the page shows for it. */
export interface RowView {
  key: string;
  label: string;
  state: BatchItem['state'];
  /** The flow's status (`Running`, `UserInput`, `Success`, `Canceled`…), `Pending` before it starts, `Rejected` when the server refused the start. */
  status: string;
  percentage: number;
  message: string;
  executionId?: string;
  /** Whether Cancel makes sense: started, and not yet at a final status. */
  cancellable: boolean;
  /** Set while the flow waits for a person to answer its form. */
  form?: FlowProgress;
  documents: DocumentReference[];
}

/** The whole batch as the page shows it. */
export interface BatchView {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  percentage: number;
  done: boolean;
  rows: RowView[];
}

/** Turns a snapshot into rows: labels from the jobs, statuses and messages from progress or error. */
export function toBatchView(snapshot: BatchSnapshot, jobs: readonly DashboardJob[]): BatchView {
  const { total, queued, running, succeeded, failed, done } = snapshot;
  const rows = snapshot.items.map((item, i) => toRow(item, jobs[i]?.label ?? item.key));
  return { total, queued, running, succeeded, failed, done, percentage: Math.round(snapshot.percentage), rows };
}

function toRow(item: BatchItem, label: string): RowView {
  const progress = isFlowExecutionError(item.error) ? item.error.progress : item.progress;
  const base = {
    key: item.key,
    label,
    state: item.state,
    percentage: Math.round(progress?.percentage ?? 0),
    message: progress?.message ?? '',
    ...(item.executionId ? { executionId: item.executionId } : {}),
    documents: [] as DocumentReference[],
    cancellable: false,
  };
  switch (item.state) {
    case 'queued':
      return { ...base, status: 'Pending', message: 'Waiting for a free slot' };
    case 'running':
      return {
        ...base,
        status: progress?.status ?? 'Starting',
        cancellable: !!item.executionId && !(progress && isTerminalStatus(progress.status)),
        ...(progress?.status === 'UserInput' ? { form: progress } : {}),
      };
    case 'succeeded':
      return {
        ...base,
        status: progress?.status ?? item.execution?.status ?? 'Success',
        percentage: 100,
        documents: findDocuments([item.progress?.model, item.execution?.state]),
      };
    default:
      return { ...base, ...describeFailure(item.error) };
  }
}

function describeFailure(error: unknown): { status: string; message?: string } {
  if (isFlowExecutionError(error)) return { status: error.status, ...(error.progress.message ? {} : { message: error.message }) };
  if (isSmartFlowsHttpError(error) && error.status >= 400 && error.status < 500) return { status: 'Rejected', message: error.message };
  return { status: 'Failed', message: error instanceof Error ? error.message : String(error) };
}
