import { readFileSync } from 'node:fs';
import { SmartFlowsClient, type SmartFlowsClientOptions } from '../index';
import { cliFetch } from './httpFetch';
import { trackedFetch, type TrackedFetch } from './trackedFetch';
import { UsageError } from './UsageError';

/** A client for the command, and the fetch it sends through. */
export interface Connection {
  client: SmartFlowsClient;
  requests: TrackedFetch;
}

/**
 * The client from `--url` / `SMART_FLOWS_URL` and the credentials from `--api-key-file`,
 * `SMART_FLOWS_API_KEY` or `SMART_FLOWS_TOKEN` (a key is never taken from the command line,
 * where `ps` and shell history would show it). Problems are usage errors: nothing is sent.
 */
export function connect(values: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): Connection {
  const url = typeof values.url === 'string' ? values.url : env.SMART_FLOWS_URL;
  if (!url) throw new UsageError('no server given: set SMART_FLOWS_URL or pass --url https://flows.example.com');
  const credentials = readCredentials(values['api-key-file'], env);
  // Over node:http on Node (lib/cli/httpFetch.ts: undici's start would cost twice `node -e 0`).
  // No `toXml`: the command gives the client XML text (a batch converts its JSON lines itself),
  // so xmlbuilder2 loads only for a batch that needs it.
  const requests = trackedFetch(cliFetch());
  const options: SmartFlowsClientOptions = { baseUrl: url, ...credentials, fetch: requests.fetch };
  try {
    return { client: new SmartFlowsClient(options), requests };
  } catch (error) {
    // The client's messages name the option, never its value when it is a credential.
    throw new UsageError((error as Error).message.replace(/^baseUrl/, 'the server URL (--url, SMART_FLOWS_URL)').replace(/^apiKey/, 'the API key'));
  }
}

function readCredentials(file: string | boolean | undefined, env: Record<string, string | undefined>): Pick<SmartFlowsClientOptions, 'apiKey' | 'bearerToken'> {
  if (typeof file === 'string') {
    let key: string;
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch (error) {
      // Never the value: a user who took the option for `--api-key` gave the key itself, and
      // stderr lands in CI logs. Only the error's code: Node's message quotes the path.
      const { code } = error as NodeJS.ErrnoException;
      throw new UsageError(`cannot read the file given to --api-key-file${code ? ` (${code})` : ''}: check the path`);
    }
    if (!key) throw new UsageError('the file given to --api-key-file is empty');
    return { apiKey: key };
  }
  if (env.SMART_FLOWS_API_KEY) return { apiKey: env.SMART_FLOWS_API_KEY };
  if (env.SMART_FLOWS_TOKEN) return { bearerToken: env.SMART_FLOWS_TOKEN };
  throw new UsageError('no credentials: set SMART_FLOWS_API_KEY (or SMART_FLOWS_TOKEN), or pass --api-key-file <file>');
}
