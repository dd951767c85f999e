import type { HoldMeaning, ProgressHoldOptions } from '../types.js';

/** {@link ProgressHoldOptions} with every default filled in. */
export type ProgressHold = Required<ProgressHoldOptions>;

const MODES = new Set(['asked', 'default', 'ignore']);
const MEANINGS = new Set(['none', 'default', 'forever']);

/** The one place the hold's defaults live: today's behaviour, holding only when asked. */
export function normalizeProgressHold(options: ProgressHoldOptions = {}): ProgressHold {
  const hold: ProgressHold = {
    mode: options.mode ?? 'asked',
    defaultSeconds: options.defaultSeconds ?? 30,
    minusOne: options.minusOne ?? 'none',
    zero: options.zero ?? 'none',
  };
  if (!MODES.has(hold.mode)) throw new TypeError(`progressHold.mode must be 'asked', 'default' or 'ignore', got '${String(hold.mode)}'`);
  if (!MEANINGS.has(hold.minusOne) || !MEANINGS.has(hold.zero)) throw new TypeError("progressHold.minusOne and .zero must be 'none', 'default' or 'forever'");
  if (typeof hold.defaultSeconds !== 'number' || !(hold.defaultSeconds >= 0)) throw new TypeError('progressHold.defaultSeconds must be a number ≥ 0');
  return hold;
}

/**
 * How long this server holds a progress call, from its `timeout` query value (`null` when
 * absent): seconds (0 = answers at once; `Infinity` = until the progress changes, which the
 * route caps by `maxLongPollSeconds`), or `'invalid'` for a value that is not a number.
 */
export function holdSeconds(hold: ProgressHold, timeout: string | null): number | 'invalid' {
  // A server that ignores the parameter does not parse it either.
  if (hold.mode === 'ignore') return hold.defaultSeconds;
  const absent = timeout === null || timeout.trim() === '';
  const asked = absent ? NaN : Number(timeout);
  if (!absent && !Number.isFinite(asked)) return 'invalid';
  const own = hold.mode === 'default' ? hold.defaultSeconds : 0;
  if (absent) return own;
  if (asked > 0) return asked;
  const meaning: HoldMeaning = asked < 0 ? hold.minusOne : hold.zero;
  // 'asked' has no default hold: -1 and 0 mean "at once" there, whatever they are set to.
  if (hold.mode === 'asked' || meaning === 'none') return 0;
  return meaning === 'default' ? own : Infinity;
}

/**
 * Reads a hold from text, for command lines: `asked`, `default[:seconds]` or
 * `ignore[:seconds]`, optionally followed by `,minusOne=<meaning>` and `,zero=<meaning>`
 * (meaning: `none`, `default`, `forever`). E.g. `default:30,zero=default`, `ignore:0`.
 * @throws TypeError for text of another form.
 */
export function parseProgressHold(text: string): ProgressHold {
  const [head = '', ...rest] = text.trim().split(',');
  const match = /^(asked|default|ignore)(?::(\d+(?:\.\d+)?))?$/.exec(head.trim());
  if (!match) throw new TypeError(`Invalid hold '${text}': use asked, default[:seconds] or ignore[:seconds], then ,minusOne=… ,zero=…`);
  const options: ProgressHoldOptions = { mode: match[1] as ProgressHoldOptions['mode'] };
  if (match[2] !== undefined) options.defaultSeconds = Number(match[2]);
  for (const part of rest) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if ((key !== 'minusOne' && key !== 'zero') || !MEANINGS.has(value ?? '')) {
      throw new TypeError(`Invalid hold part '${part}': use minusOne=none|default|forever or zero=none|default|forever`);
    }
    options[key] = value as HoldMeaning;
  }
  return normalizeProgressHold(options);
}
