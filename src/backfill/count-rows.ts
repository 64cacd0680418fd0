import { PhasegateError } from '../errors.js';
import { asCount, readOnlyValue, type ReadOnlyLimits } from '../pg/index.js';
import type { Queryable } from '../state/index.js';

/**
 * Runs a verification query (one row, one number) read-only as a single
 * statement, so a mistaken query can never change data. `subject` names it
 * in messages ("<id> backfill verify").
 */
export async function countRows(
  db: Queryable,
  query: string,
  limits: ReadOnlyLimits,
  subject: string,
  describeError: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error)),
): Promise<number> {
  const value = await readOnlyValue(db, query, limits).catch((error: unknown) => {
    throw new PhasegateError('STEP_FAILED', `${subject} failed: ${describeError(error)}`, {
      hint: 'fix the verify query; it must be one SELECT returning one row with one number',
      cause: error,
    });
  });
  const count = asCount(value);
  if (Number.isNaN(count)) {
    throw new PhasegateError('STEP_FAILED', `${subject}: expected one row with one number, got ${JSON.stringify(value) ?? 'no row'}`, {
      hint: 'write the verify as e.g. SELECT count(*) FROM users WHERE email_address IS NULL',
    });
  }
  return count;
}
