import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import * as core from '../lib/index';

describe('the smart-flows-rx entry', () => {
  it('exports exactly this public surface (a change here is a deliberate API change)', () => {
    expect(Object.keys(core).sort()).toEqual([
      'DEFAULTS',
      'DIAGNOSTICS_CHANNELS',
      'FlowExecutionError',
      'SmartFlowsAuthError',
      'SmartFlowsBatchError',
      'SmartFlowsClient',
      'SmartFlowsError',
      'SmartFlowsHttpError',
      'SmartFlowsInputError',
      'SmartFlowsJournalError',
      'SmartFlowsNetworkError',
      'SmartFlowsResponseError',
      'SmartFlowsTimeoutError',
      'findDocuments',
      'isFailureStatus',
      'isFinalFailure',
      'isFlowExecutionError',
      'isGuid',
      'isIdleStatus',
      'isSmartFlowsAuthError',
      'isSmartFlowsBatchError',
      'isSmartFlowsError',
      'isSmartFlowsHttpError',
      'isSmartFlowsInputError',
      'isSmartFlowsJournalError',
      'isSmartFlowsNetworkError',
      'isSmartFlowsResponseError',
      'isSmartFlowsTimeoutError',
      'isSuccessStatus',
      'isTerminalStatus',
      'memoryJournal',
      'needsUserAction',
      'normalizeStatus',
      'pageActivity',
      'reconcile',
      'traceJob',
      'userInputFields',
    ]);
  });

  it('has every method of the DESIGN contract on the client', () => {
    const methods = Object.getOwnPropertyNames(core.SmartFlowsClient.prototype);
    for (const name of ['run', 'watch', 'runBatch', 'startExecution', 'getProgress', 'getExecution', 'cancelExecution', 'submitUserInput', 'getDocument', 'downloadDocument', 'listExecutions']) {
      expect(methods).toContain(name);
    }
  });

  it('bundles for a browser without the xml entry, xmlbuilder2 or any Node built-in', async () => {
    const result = await build({
      entryPoints: [resolve(process.cwd(), 'lib/index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      external: ['rxjs'],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('xmlbuilder2') || i.includes('lib/xml/toXml'))).toBe(false);
    expect(inputs.some((i) => i.includes('lib/xml/checkXml'))).toBe(true);
    expect(result.errors).toEqual([]);
  });
});
