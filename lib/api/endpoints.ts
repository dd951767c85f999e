import { guidSegment } from './ids';

/** Which spelling of a path the sources disagree on (see API-FACTS). */
export type EndpointStyle = 'sdk' | 'guide';

/** Every path below `/api/v1`; ids are checked as GUIDs and encoded here. */
export const endpoints = {
  start: () => '/flows/executions',
  startSkippingInput: () => '/flows/executions/start',
  progress: (id: string) => `/flows/executions/${guidSegment(id, 'executionId')}/progress`,
  execution: (id: string) => `/flows/executions/${guidSegment(id, 'executionId')}`,
  cancel: (id: string, style: EndpointStyle) =>
    style === 'sdk' ? endpoints.progress(id) : endpoints.execution(id),
  document: (id: string) => `/documents/${guidSegment(id, 'documentId')}`,
  documentContent: (id: string, style: EndpointStyle) =>
    style === 'sdk'
      ? `/documents/${guidSegment(id, 'documentId')}/content`
      : `/documents/content/${guidSegment(id, 'documentId')}`,
  executions: (flowId?: string) =>
    flowId === undefined ? '/flows/executions' : `/flows/${guidSegment(flowId, 'flowId')}/executions`,
  filterExecutions: () => '/flows/executions/filter',
  login: () => '/authenticate/login',
};

/** The other spelling, for the one fallback after a 404 or 405. */
export const otherStyle = (style: EndpointStyle): EndpointStyle => (style === 'sdk' ? 'guide' : 'sdk');
