import { redactDeep, redactSecrets } from '../secrets.js';

/** Characters a terminal acts on or hides: controls (newline, ESC), format marks (bidi overrides), line separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text read from the database (names, recorded_by, errors, event details,
 * query text) made inert for a terminal: every control, escape or bidi
 * character is shown as \n, \u{1b} and the like, so a stored value can
 * neither forge an output line nor drive the terminal. Text printers apply
 * it to each such value; JSON output escapes on its own.
 */
export function forTerminal(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => NAMED[ch] ?? `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
}

/** forTerminal for phasegate's own multi-line messages that quote such values: their line breaks stay. */
export function forTerminalLines(text: string): string {
  return text.split('\n').map(forTerminal).join('\n');
}

/** Machine output: exactly one JSON document on stdout. */
export function printJson(value: object): void {
  process.stdout.write(`${JSON.stringify(redactDeep({ version: 1, ...value }), null, 2)}\n`);
}

/** Human output on stdout. */
export function printLines(...lines: string[]): void {
  process.stdout.write(`${redactSecrets(lines.join('\n'))}\n`);
}

/** Messages for people that are not the command's result go to stderr. */
export function printError(line: string): void {
  process.stderr.write(`${redactSecrets(line)}\n`);
}

const colorEnabled = (): boolean =>
  process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0'
    ? true
    : process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;

const paint = (code: number) => (text: string) => (colorEnabled() ? `\u001b[${code}m${text}\u001b[0m` : text);

export const color = { green: paint(32), yellow: paint(33), red: paint(31), dim: paint(2), bold: paint(1) };
