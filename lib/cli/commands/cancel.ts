import { defaultIfEmpty, firstValueFrom, map, Subject, takeUntil } from 'rxjs';
import { isGuid, isSmartFlowsHttpError } from '../../index';
import { type Command, CONNECTION_HELP } from '../Command';
import { connect } from '../connect';
import { EXIT } from '../exitCodes';
import { describe, errorJson, exitCodeOf } from '../failures';
import { hideSecrets } from '../hideSecrets';
import { UsageError } from '../UsageError';

/** `smart-flows cancel <executionId>…`: asks the server to cancel executions. */
export const cancel: Command = {
  name: 'cancel',
  usage: 'smart-flows cancel <executionId>...',
  positionals: { min: 1, max: 1000, names: '<executionId>...' },
  options: {},
  help: `Asks the server to cancel each execution (they end in Canceled). Exits 1 if the server
refused any of them (e.g. 404 for an id it does not know).
${CONNECTION_HELP}

Example:
  smart-flows list --status Running --json | jq -r .id | xargs smart-flows cancel`,

  async run({ args, env, term, interrupts }) {
    const bad = args.positionals.find((id) => !isGuid(id));
    if (bad !== undefined) throw new UsageError(`executionId '${bad}' is not a GUID`);
    const { client } = connect(args.values, env);
    await hideSecrets(term, client);
    // The first Ctrl-C (or SIGTERM) aborts the call in flight and its retries at once (exit 130).
    const interrupted$ = new Subject<void>();
    interrupts.onInterrupt(async () => interrupted$.next());
    let worst: number = EXIT.ok;
    for (const id of args.positionals) {
      if (interrupts.interrupted) return stopped(id);
      try {
        const done = await firstValueFrom(client.cancelExecution(id).pipe(defaultIfEmpty(undefined), map(() => true), takeUntil(interrupted$)), { defaultValue: false });
        if (!done) return stopped(id);
        term.result(`Canceled ${id}`);
        term.event({ type: 'canceled', executionId: id });
      } catch (error) {
        // A 403 on a cancel is this execution refused to these credentials (they worked enough to be
        // judged), not a server out of reach: said so, and the other ids go on.
        const forbidden = isSmartFlowsHttpError(error) && error.status === 403;
        const code = forbidden ? EXIT.failed : exitCodeOf(error);
        term.event({ type: 'error', ...errorJson(error), executionId: id });
        term.note(`smart-flows: cannot cancel ${id}: ${forbidden ? 'the server refused to cancel it (HTTP 403: not allowed for these credentials)' : describe(error)}`);
        if (code === EXIT.unreachable) return code;
        worst = Math.max(worst, code);
      }
    }
    return interrupts.interrupted ? EXIT.interrupted : worst;

    /** Interrupted before `id`'s cancel was confirmed: said so, with the ids not sent. */
    function stopped(id: string): number {
      const left = args.positionals.slice(args.positionals.indexOf(id) + 1);
      term.event({ type: 'interrupted', executionId: id, canceled: false });
      term.note(`Interrupted: the cancel of ${id} was not confirmed (it may or may not have reached the server)${left.length > 0 ? `; not sent for ${left.length} more` : ''}`);
      return EXIT.interrupted;
    }
  },
};
