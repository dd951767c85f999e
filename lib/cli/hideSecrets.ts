import { firstValueFrom, of } from 'rxjs';
import type { SmartFlowsClient } from '../index';
import { withRedaction } from '../internal/loadParts';
import type { Terminal } from './Terminal';

/**
 * From now on the terminal redacts the client's secrets from everything it prints
 * (`client.redactText`, the core's rule): the server's text may echo the key or the token.
 * The redaction is loaded first (a lazy part): before it, `redactText` gives any text back as
 * `[redacted]` whole, and the command's first lines come before its first answer.
 */
export async function hideSecrets(term: Terminal, client: SmartFlowsClient): Promise<void> {
  await firstValueFrom(withRedaction(() => of(true)));
  term.hideSecretsOf(client);
}
