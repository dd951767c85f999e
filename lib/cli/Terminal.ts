import { randomBytes } from 'node:crypto';
import { jsonLine, terminalText } from './terminalText';

/** A stream the terminal writes to (process.stdout/stderr, or a test double). */
export interface OutStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface TerminalOptions {
  /** `--json`: stdout carries one JSON object a line and nothing else. */
  json: boolean;
  /** The environment, for `NO_COLOR` and `TERM`. */
  env: Record<string, string | undefined>;
}

type Colour = 'green' | 'yellow' | 'red' | 'dim' | 'bold';
const SGR: Record<Colour, [number, number]> = { green: [32, 39], yellow: [33, 39], red: [31, 39], dim: [2, 22], bold: [1, 22] };

/**
 * Where a command's output goes, by the conventions of git and gh: results on stdout (as
 * text, or as JSON lines with `--json`), messages and the live status line on stderr.
 * Colour and the live line only on a terminal, and never with `NO_COLOR` or `TERM=dumb`.
 * The live line is one line redrawn in place; any other output first wipes it, then it is
 * drawn again below, so bars and results never garble each other.
 *
 * Every line is cleaned here, at the one place output leaves: control and bidi characters
 * (from server messages, display names, document names, keys) become visible escapes
 * ({@link terminalText}), `--json` lines escape them too ({@link jsonLine}). The only escape
 * sequences that reach the terminal are the colours {@link Terminal.paint} asked for. Once a
 * command has connected ({@link Terminal.hideSecretsOf}), every text piece and every string of
 * a JSON line also goes through the client's redaction: a server echoing the key or the token
 * in its messages does not get it printed.
 */
export class Terminal {
  readonly json: boolean;
  /** Whether the live status line (bars) is drawn on stderr. */
  readonly live: boolean;
  private readonly colourOut: boolean;
  private readonly colourErr: boolean;
  private shown = '';
  /**
   * Marks the colours `paint` put in a line, so the cleaning of the whole line can tell them
   * from the text: random per terminal, so no text from elsewhere can carry a mark.
   */
  private readonly nonce = randomBytes(8).toString('hex');
  private readonly mark = new RegExp(`\u0000${this.nonce}:(\\d+)\u0000`);
  /** The client's redaction of its secrets (`client.redactText`) once a command connected; none before (nothing from a server yet). */
  private redact?: (text: string) => string;

  constructor(private readonly out: OutStream, private readonly err: OutStream, options: TerminalOptions) {
    const plain = !!options.env.NO_COLOR || options.env.TERM === 'dumb';
    this.json = options.json;
    this.live = !plain && err.isTTY === true;
    this.colourErr = this.live;
    this.colourOut = !plain && out.isTTY === true && !options.json;
  }

  /**
   * Redacts the client's secrets (`client.redactText`) from everything printed from now on:
   * the server's text (progress messages, names) may echo the key or the token.
   */
  hideSecretsOf(client: { redactText(text: string): string }): void {
    this.redact = (text) => client.redactText(text);
  }

  /** `text` with the secrets this terminal hides redacted (as is before {@link hideSecretsOf}), for a line written past the terminal. */
  redacted(text: string): string {
    return this.redact ? this.redact(text) : text;
  }

  /** A result line on stdout (text mode only; `--json` gets {@link event}). */
  result(line: string): void {
    if (!this.json) this.around(() => this.out.write(`${this.clean(line)}\n`));
  }

  /** One JSON object on its own stdout line (`--json` only). */
  event(value: object): void {
    if (this.json) this.around(() => this.out.write(`${jsonLine(value, this.redact)}\n`));
  }

  /** A message for the person on stderr. */
  note(line: string): void {
    this.around(() => this.err.write(`${this.clean(line)}\n`));
  }

  /** Draws (or redraws) the live line; nothing when not live. */
  status(text: string): void {
    if (!this.live) return;
    // A pseudo-terminal without a size reports 0 columns: assume 80 then.
    const width = Math.max(20, (this.err.columns || 80) - 1);
    const line = this.clean(text, width);
    if (line === this.shown) return;
    this.err.write(`\r\x1b[2K${line}`);
    this.shown = line;
  }

  /** Wipes the live line for good (before the command's last words). */
  clearStatus(): void {
    if (this.shown) this.err.write('\r\x1b[2K');
    this.shown = '';
  }

  /** `text` in a colour, for stdout (`out`) or stderr, when that stream shows colour. */
  paint(text: string, colour: Colour, stream: 'out' | 'err' = 'out'): string {
    const on = stream === 'out' ? this.colourOut : this.colourErr;
    if (!on) return text;
    const [open, close] = SGR[colour];
    return `\u0000${this.nonce}:${open}\u0000${text}\u0000${this.nonce}:${close}\u0000`;
  }

  /** Resolves when both streams have handed over what was written (before `process.exit`). */
  flush(): Promise<void> {
    const drained = (stream: OutStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
    return Promise.all([drained(this.out), drained(this.err)]).then(() => undefined);
  }

  /**
   * The line as it may reach the terminal: its text pieces cleaned, the colours `paint` marked
   * turned into their escape sequences, and cut to `width` visible characters (with `…`).
   */
  private clean(line: string, width = Infinity): string {
    const pieces = line.split(this.mark);
    let cleaned = '';
    let left = width;
    // split with a capture group: text, colour code, text, colour code, …
    pieces.forEach((piece, i) => {
      if (i % 2 === 1) {
        cleaned += `\x1b[${piece}m`;
        return;
      }
      if (left <= 0) return;
      const text = terminalText(this.redact ? this.redact(piece) : piece);
      if (text.length > left) {
        cleaned += `${text.slice(0, Math.max(0, left - 1))}…`;
        left = 0;
      } else {
        cleaned += text;
        left -= text.length;
      }
    });
    return cleaned;
  }

  private around(write: () => void): void {
    const shown = this.shown;
    if (shown) this.clearStatus();
    write();
    if (shown) {
      this.err.write(shown);
      this.shown = shown;
    }
  }
}

/** A bar of `width` cells for a percentage: `██████░░░░`. */
export function bar(percentage: number, width = 24): string {
  const cells = Math.round((Math.min(100, Math.max(0, percentage)) / 100) * width);
  return `${'█'.repeat(cells)}${'░'.repeat(width - cells)}`;
}
