import { printDiagnostics } from '../diagnostics/printer';
import type { Terminal } from './Terminal';

/**
 * `--verbose`: one line per request, retry and tracker fallback on stderr, from the library's
 * diagnostics channels (lib/diagnostics/printer.ts; they never hold the key or a token).
 * @returns a function that stops the printing
 */
export function printVerbose(term: Terminal): () => void {
  return printDiagnostics((line) => term.note(`smart-flows: ${line}`));
}
