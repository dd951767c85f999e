import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as core from '../lib/index';

describe('the smart-flows-rx entry', () => {
  it('exports exactly this public surface (a change here is a deliberate API change)', () => {
    expect(Object.keys(core).sort()).toEqual([
      'DEFAULTS',
      'FlowExecutionError',
      'SmartFlowsBatchError',
      'SmartFlowsClient',
      'SmartFlowsError',
      'SmartFlowsHttpError',
      'SmartFlowsInputError',
      'SmartFlowsNetworkError',
      'SmartFlowsResponseError',
      'SmartFlowsTimeoutError',
      'findDocuments',
      'isFailureStatus',
      'isFlowExecutionError',
      'isGuid',
      'isIdleStatus',
      'isSmartFlowsBatchError',
      'isSmartFlowsError',
      'isSmartFlowsHttpError',
      'isSmartFlowsInputError',
      'isSmartFlowsNetworkError',
      'isSmartFlowsResponseError',
      'isSmartFlowsTimeoutError',
      'isSuccessStatus',
      'isTerminalStatus',
      'needsUserAction',
      'normalizeStatus',
      'pageActivity',
      'userInputFields',
    ]);
  });

  it('has every method of the DESIGN contract on the client', () => {
    const methods = Object.getOwnPropertyNames(core.SmartFlowsClient.prototype);
    for (const name of ['run', 'watch', 'runBatch', 'startExecution', 'getProgress', 'getExecution', 'cancelExecution', 'submitUserInput', 'getDocument', 'downloadDocument', 'listExecutions']) {
      expect(methods).toContain(name);
    }
  });

  it('never imports xmlbuilder2 statically: only the xml entry carries it', () => {
    const index = readFileSync(new URL('../lib/index.ts', import.meta.url), 'utf8');
    expect(index).not.toMatch(/xml\/(index|toXml)/);
    const input = readFileSync(new URL('../lib/api/prepareInput.ts', import.meta.url), 'utf8');
    expect(input).toMatch(/import\('smart-flows-rx\/xml'\)/);
    expect(input).not.toMatch(/^import .*(xmlbuilder2|toXml)/m);
  });
});
