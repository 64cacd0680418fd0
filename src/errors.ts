/**
 * Every failure phasegate reports is a `PhasegateError`: a stable `code` for
 * machines, a `message` that names the subject (migration, phase, file,
 * field), and a `hint` that says what to do next. Code never parses messages.
 */
export type ErrorCode =
  /** The config file, a flag or an environment variable is invalid. */
  | 'INVALID_CONFIG'
  /** A migration file does not load or does not validate. */
  | 'INVALID_MIGRATION'
  /** A SQL step does not parse. */
  | 'INVALID_SQL'
  /** A started migration's definition changed. */
  | 'FINGERPRINT_MISMATCH'
  /** The command line is wrong (unknown id, missing argument, ...). */
  | 'USAGE'
  /** A step failed in the database, or timed out after all retries. */
  | 'STEP_FAILED'
  /** A `verify` query still reports rows after the phase ran. */
  | 'VERIFY_FAILED'
  /** A safety check refused to run something. */
  | 'REFUSED'
  /** Another runner holds the advisory lock. */
  | 'LOCKED'
  /** The database cannot be reached, or the connection was lost. */
  | 'CONNECTION_FAILED'
  /** The role lacks a privilege phasegate needs outside any step (e.g. to create its state schema): nothing ran. */
  | 'PERMISSION_DENIED'
  /** The state schema is newer than this phasegate, or its rows are unreadable. */
  | 'STATE_INVALID'
  /** A migration recorded in state has no file any more. */
  | 'MIGRATION_MISSING'
  /** A new migration is ordered before migrations that are done (with --strict-order). */
  | 'OUT_OF_ORDER';

export interface PhasegateErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
}

export class PhasegateError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: PhasegateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PhasegateError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** Fails the compile when a switch over a union forgets a case. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
