import { PhasegateError } from '../errors.js';
import { withTransaction, type Queryable } from '../state/index.js';

/**
 * Runs a verification query (one row, one number) read-only, so a mistaken
 * query can never change data.
 */
export async function countRows(db: Queryable, query: string, statementTimeoutMs: number, subject: string): Promise<number> {
  const value = await withTransaction(db, async () => {
    await db.query('SET TRANSACTION READ ONLY');
    await db.query(`SELECT set_config('statement_timeout', $1, true)`, [`${statementTimeoutMs}ms`]);
    const { rows } = await db.query(query);
    return rows[0] === undefined ? undefined : Object.values(rows[0])[0];
  }).catch((error: unknown) => {
    throw new PhasegateError('STEP_FAILED', `${subject} failed: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'fix the verify query; it must return one row with one number',
      cause: error,
    });
  });
  const count = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : NaN;
  if (Number.isNaN(count)) {
    throw new PhasegateError('STEP_FAILED', `${subject}: expected one row with one number, got ${JSON.stringify(value) ?? 'no row'}`, {
      hint: 'write the verify as e.g. SELECT count(*) FROM users WHERE email_address IS NULL',
    });
  }
  return count;
}
