/* eslint-disable no-control-regex -- the point of this file is control characters */
import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { Terminal, type OutStream } from '../../lib/cli/Terminal';
import { jsonLine, terminalText } from '../../lib/cli/terminalText';

/** Every character a terminal acts on, or that reorders the text after it. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** What a hostile server sends: the title, a clear screen, a rewritten line, a one-byte CSI, a bidi override. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\r\x1b[2K Success 100% (spoofed)\x9b31m\u202eevil\u2066\x08';

/** Strings rich in what matters here: controls, escapes, bidi characters, and plain text. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\x1b', '[', ']', '\x07', '\x9b', '\r', '\n', '\t', '\b', '\x00', '\x7f', '\x85', '\u202e', '\u2066', '\u2069', '\u200f', '\u2028', 'm', ';', '0', '2'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 0x2fff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 60,
});

/** A terminal on two fake TTY streams, colours on; gives it and what each stream got. */
function tty() {
  const written = { out: '', err: '' };
  const stream = (name: 'out' | 'err'): OutStream => ({ isTTY: true, columns: 60, write: (chunk: string) => ((written[name] += chunk), true) });
  return { term: new Terminal(stream('out'), stream('err'), { json: false, env: { TERM: 'xterm' } }), written };
}

describe('terminalText', () => {
  test.prop([nasty], { numRuns: 500 })('leaves no control or bidi character, whatever the text', (text) => {
    expect(terminalText(text)).not.toMatch(UNSAFE);
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !UNSAFE.test(s))], { numRuns: 200 })('leaves text without them as it is', (text) => {
    expect(terminalText(text)).toBe(text);
  });

  test.prop([nasty], { numRuns: 300 })('shows every removed character as a visible escape, so the line says something was there', (text) => {
    const unsafe = [...text].filter((c) => UNSAFE.test(c) && !'\t\n\r'.includes(c)).length;
    expect(terminalText(text).match(/\\(x[0-9a-f]{2}|u[0-9a-f]{4})/g)?.length ?? 0).toBeGreaterThanOrEqual(unsafe);
  });

  test('turns the hostile message of issue 25 into one harmless line', () => {
    expect(terminalText(HOSTILE)).toBe('\\x1b]0;pwned\\x07\\x1b[2J \\x1b[2K Success 100% (spoofed)\\x9b31m\\u202eevil\\u2066\\x08');
  });
});

describe('jsonLine', () => {
  test.prop([fc.jsonValue(), nasty], { numRuns: 300 })('is the same JSON value, with no raw control or bidi character', (value, text) => {
    const line = jsonLine({ value, text });
    expect(line).not.toMatch(UNSAFE);
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ value, text })));
  });
});

describe('Terminal', () => {
  test.prop([nasty, nasty], { numRuns: 300 })('lets out only the colours it painted, on stdout, stderr and the live line', (a, b) => {
    const { term, written } = tty();
    term.result(`${term.paint('Error', 'red')} ${a}  ${b}`);
    term.note(`${a} ${term.paint(b, 'green', 'err')}`);
    term.status(`${term.paint(`✔ ${a}`, 'green', 'err')} ${b}`);
    const sequences = (s: string) => s.match(/\x1b\[[^a-zA-Z]*[a-zA-Z]/g) ?? [];
    expect(sequences(written.out)).toEqual(['\x1b[31m', '\x1b[39m']);
    // The live line is drawn with \r ESC[2K, then the painted colours, nothing else.
    expect(new Set(sequences(written.err))).toEqual(new Set(['\x1b[2K', '\x1b[32m', '\x1b[39m']));
    expect(written.out.replace(/\x1b\[3[19]m/g, '').replace(/\n$/, '')).not.toMatch(UNSAFE);
    expect(written.err.replace(/\r\x1b\[2K|\x1b\[3[29]m/g, '').replace(/\n/g, '')).not.toMatch(UNSAFE);
  });

  it('redacts the client\'s secrets from every piece it prints once told (hideSecretsOf): results, notes, the live line, each string of a JSON line', () => {
    const KEY = 'sk-live-0123456789abcdef';
    // A stand-in for client.redactText (its own spec: spec/client/redactText.spec.ts).
    const client = { redactText: (text: string) => text.split(KEY).join('[redacted]') };
    const { term, written } = tty();
    term.hideSecretsOf(client);
    term.result(`${term.paint('Success', 'green')} — Done for ${KEY}`);
    term.note(`  Running 10% Stage for ${KEY}`);
    term.status(`${term.paint('▶', 'green', 'err')} Stage for ${KEY}`);
    expect(written.out).toBe('\x1b[32mSuccess\x1b[39m — Done for [redacted]\n');
    expect(written.err).toContain('  Running 10% Stage for [redacted]\n');
    expect(written.err).toContain('\x1b[32m▶\x1b[39m Stage for [redacted]');
    const json = { out: '' };
    const jsonTerm = new Terminal({ write: (c: string) => ((json.out += c), true) }, { write: () => true }, { json: true, env: {} });
    jsonTerm.hideSecretsOf(client);
    jsonTerm.event({ type: 'progress', message: `Stage for ${KEY}`, nested: { names: [`${KEY}.pdf`] } });
    expect(JSON.parse(json.out)).toEqual({ type: 'progress', message: 'Stage for [redacted]', nested: { names: ['[redacted].pdf'] } });
  });
});
