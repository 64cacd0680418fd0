import { countRows } from '../backfill/index.js';
import { PhasegateError } from '../errors.js';
import type { Timeouts, Unit } from '../plan/index.js';
import type { Queryable } from '../state/index.js';
import { describePgError } from './pg-errors.js';
import { checkQueryPlan, type PlanCheckPolicy } from './plan-check.js';

/**
 * Runs a phase's verify query: one row, one number, which must be 0. Its
 * EXPLAIN and the query itself run read-only as one statement each, so a
 * mistaken verify can never change data.
 */
export async function runVerify(db: Queryable, unit: Unit, query: string, timeouts: Timeouts, planCheck: PlanCheckPolicy): Promise<void> {
  const where = `${unit.migrationId} ${unit.phase} verify`;
  await checkQueryPlan(db, query, planCheck, where, timeouts);
  const count = await countRows(db, query, timeouts, where, describePgError);
  if (count !== 0) {
    throw new PhasegateError('VERIFY_FAILED', `${where} returned ${count} (expected 0); the phase is not done`, {
      hint: 'look at the rows the verify query counts; fix them or the phase, then run advance again',
    });
  }
}
