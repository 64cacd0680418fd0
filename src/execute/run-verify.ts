import { PhasegateError } from '../errors.js';
import type { Unit } from '../plan/index.js';
import { withTransaction, type Queryable } from '../state/index.js';
import { describePgError } from './pg-errors.js';
import { checkQueryPlan, type PlanCheckPolicy } from './plan-check.js';

/**
 * Runs a phase's verify query: one row, one number, which must be 0. It runs
 * read-only so a mistaken verify can never change data.
 */
export async function runVerify(db: Queryable, unit: Unit, query: string, statementTimeoutMs: number, planCheck: PlanCheckPolicy): Promise<void> {
  const where = `${unit.migrationId} ${unit.phase} verify`;
  await checkQueryPlan(db, query, planCheck, where);
  let value: unknown;
  try {
    value = await withTransaction(db, async () => {
      await db.query('SET TRANSACTION READ ONLY');
      await db.query(`SELECT set_config('statement_timeout', $1, true)`, [`${statementTimeoutMs}ms`]);
      const { rows } = await db.query(query);
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    });
  } catch (error) {
    throw new PhasegateError('STEP_FAILED', `${where} failed: ${describePgError(error)}`, {
      hint: 'fix the verify query; it must return one row with one number',
      cause: error,
    });
  }
  const count = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : NaN;
  if (Number.isNaN(count)) {
    throw new PhasegateError('STEP_FAILED', `${where}: expected one row with one number, got ${JSON.stringify(value) ?? 'no row'}`, {
      hint: 'write the verify as e.g. SELECT count(*) FROM users WHERE email_address IS NULL',
    });
  }
  if (count !== 0) {
    throw new PhasegateError('VERIFY_FAILED', `${where} returned ${count} (expected 0); the phase is not done`, {
      hint: 'look at the rows the verify query counts; fix them or the phase, then run advance again',
    });
  }
}
