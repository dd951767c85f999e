client.run(flowId, xml, { timeoutMs: 15 * 60_000, onUserInput: 'error' }).subscribe({
  error: (e) => {
    if (isSmartFlowsTimeoutError(e) && e.executionId) client.cancelExecution(e.executionId).subscribe();
  },
});
