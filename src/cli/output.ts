import { redactDeep, redactSecrets } from '../secrets.js';

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
