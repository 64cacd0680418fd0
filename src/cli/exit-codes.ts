import type { ErrorCode } from '../errors.js';
import type { StopReason } from '../execute/index.js';

/** The process exit codes every command uses (docs/architecture.md, "Exit codes"). */
export const EXIT = {
  ok: 0,
  stepFailed: 1,
  badInput: 2,
  waiting: 3,
  refused: 4,
  locked: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_FOR_ERROR: Readonly<Record<ErrorCode, ExitCode>> = {
  INVALID_CONFIG: EXIT.badInput,
  INVALID_MIGRATION: EXIT.badInput,
  INVALID_SQL: EXIT.badInput,
  FINGERPRINT_MISMATCH: EXIT.badInput,
  USAGE: EXIT.badInput,
  STEP_FAILED: EXIT.stepFailed,
  VERIFY_FAILED: EXIT.stepFailed,
  REFUSED: EXIT.refused,
  LOCKED: EXIT.locked,
  CONNECTION_FAILED: EXIT.stepFailed,
  PERMISSION_DENIED: EXIT.badInput,
  STATE_INVALID: EXIT.badInput,
  MIGRATION_MISSING: EXIT.badInput,
  OUT_OF_ORDER: EXIT.badInput,
};

export const EXIT_FOR_STOP: Readonly<Record<StopReason, ExitCode>> = {
  gate: EXIT.waiting,
  'backfill-in-progress': EXIT.waiting,
  interrupted: EXIT.waiting,
  refused: EXIT.refused,
  error: EXIT.stepFailed,
  locked: EXIT.locked,
  rolledBack: EXIT.waiting,
};

export const EXIT_CODES_HELP = `
Exit codes:
  0  done: everything runnable ran
  1  a step failed (database error, timeout after all retries)
  2  bad usage or bad input (config, migration file, edited or missing migration, unreadable state, a missing privilege): nothing was run
  3  stopped at a gate, a rolled-back phase, or a backfill still in progress (not a failure)
  4  refused by a safety check
  5  another runner holds the lock`;
