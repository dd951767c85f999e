import { type BatchItem, type BatchSnapshot, FlowExecutionError, type FlowProgress, SmartFlowsHttpError } from 'smart-flows-rx';
import { describe, expect, it } from '@jest/globals';
import { toBatchView } from './batch-view';

const progress = (status: FlowProgress['status'], percentage: number, message = '', extra: Partial<FlowProgress> = {}): FlowProgress => ({
  id: '0d9c4c38-5a43-4c39-9a3e-1c5b7e0c0001',
  status,
  rawStatus: status,
  percentage,
  message,
  ...extra,
});

const snapshot = (items: BatchItem[]): BatchSnapshot => ({
  total: items.length,
  queued: items.filter((i) => i.state === 'queued').length,
  running: items.filter((i) => i.state === 'running').length,
  succeeded: items.filter((i) => i.state === 'succeeded').length,
  failed: items.filter((i) => i.state === 'failed').length,
  uncertain: items.filter((i) => i.state === 'uncertain').length,
  percentage: 42.4,
  items,
  done: false,
});

const jobs = [{ key: 'a', label: 'Letter A', flowId: 'f', input: '<A/>' }];

describe('toBatchView', () => {
  it('shows a job waiting for a slot as Pending, without Cancel', () => {
    const [row] = toBatchView(snapshot([{ key: 'a', state: 'queued' }]), jobs).rows;
    expect(row).toMatchObject({ label: 'Letter A', status: 'Pending', percentage: 0, cancellable: false });
  });

  it('shows a running job with its status and message, cancellable, and its form in UserInput', () => {
    const asking = progress('UserInput', 30, 'Waiting for user input', { schema: { type: 'object' } });
    const [row] = toBatchView(snapshot([{ key: 'a', state: 'running', executionId: asking.id, progress: asking }]), jobs).rows;
    expect(row).toMatchObject({ status: 'UserInput', percentage: 30, message: 'Waiting for user input', cancellable: true, form: asking });
  });

  it('offers no Cancel once the progress is final, while the output is fetched', () => {
    const ended = progress('Success', 100);
    const [row] = toBatchView(snapshot([{ key: 'a', state: 'running', executionId: ended.id, progress: ended }]), jobs).rows;
    expect(row?.cancellable).toBe(false);
  });

  it('lists the documents of a succeeded job, from the progress model and the execution', () => {
    const done = progress('Warning', 100, 'Sent no e-mail', { model: { 'block-1': { outputDocument: { id: 'd1', displayName: 'Letter.pdf', type: 'document' } } } });
    const item: BatchItem = { key: 'a', state: 'succeeded', progress: done, execution: { id: done.id, status: 'Warning', rawStatus: 'Warning', state: { output: { x: { id: 'd2', displayName: 'Copy.pdf', type: 'Document' } } } } };
    const [row] = toBatchView(snapshot([item]), jobs).rows;
    expect(row?.status).toBe('Warning');
    expect(row?.documents.map((d) => d.displayName)).toEqual(['Letter.pdf', 'Copy.pdf']);
  });

  it('shows the final status and message of a flow that failed', () => {
    const error = new FlowExecutionError(progress('Canceled', 12, 'Canceled by user'));
    const [row] = toBatchView(snapshot([{ key: 'a', state: 'failed', executionId: error.executionId, error }]), jobs).rows;
    expect(row).toMatchObject({ status: 'Canceled', percentage: 12, message: 'Canceled by user', cancellable: false });
  });

  it('shows a start the server refused (4xx) as Rejected', () => {
    const error = new SmartFlowsHttpError({ status: 400, method: 'POST', url: '/api/v1/flows/executions', body: 'bad root' });
    const [row] = toBatchView(snapshot([{ key: 'a', state: 'failed', error }]), jobs).rows;
    expect(row).toMatchObject({ status: 'Rejected', message: expect.stringContaining('400') });
  });

  it('rounds the aggregate percentage', () => {
    expect(toBatchView(snapshot([{ key: 'a', state: 'queued' }]), jobs).percentage).toBe(42);
  });
});
