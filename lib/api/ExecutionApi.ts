import type { Observable } from 'rxjs';
import type { FlowExecution, FlowProgress } from './types';

/** The calls the execution layer needs, each a cold Observable of one parsed answer. */
export interface ExecutionApi {
  start(flowId: string, xml: string | undefined, skipUserInput: boolean, retryBusy?: boolean): Observable<FlowProgress>;
  progress(executionId: string, waitSeconds: number): Observable<FlowProgress>;
  execution(executionId: string): Observable<FlowExecution>;
  cancel(executionId: string): Observable<void>;
  submitUserInput(executionId: string, values: Record<string, unknown>): Observable<FlowProgress>;
}
