/**
 * One log call: structured fields then the message, or the message alone.
 * pino's methods have this shape, so a pino logger (or any with these
 * methods) can be passed.
 */
export interface LogFn {
  (fields: Readonly<Record<string, unknown>>, message: string): void;
  (message: string): void;
}

/** What the library logs through; it never prints on its own. */
export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Readonly<Record<string, unknown>>): Logger;
}

const ignore: LogFn = () => undefined;

/** The logger used when none is given: the library stays silent. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore, child: () => silentLogger };
