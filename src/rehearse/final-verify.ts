import { sqlState } from '../pg/index.js';
import type { Unit } from '../plan/index.js';
import type { Queryable } from '../state/index.js';
import { ADVICE, type RehearsalFailure } from './report-model.js';

/** SQLSTATEs of a verify that refers to what a later phase dropped: it no longer applies. */
const GONE = new Set(['42703', '42P01']);

/**
 * Runs the verify queries of the rehearsed units once traffic has stopped:
 * rows written by either app version while the steps ran must have
 * reached the new shape too. A count above 0 is a failure.
 */
export async function runFinalVerify(db: Queryable, units: readonly Unit[]): Promise<RehearsalFailure[]> {
  const failures: RehearsalFailure[] = [];
  for (const unit of units) {
    for (const [i, step] of unit.steps.entries()) {
      if (step.kind !== 'verify') continue;
      const failure = (error: string): RehearsalFailure => ({
        app: 'verify', migration: unit.migrationId, phase: unit.phase, step: i + 1, statement: step.query,
        error, class: 'assertion', source: 'verify', count: 1, advice: ADVICE.assertion,
      });
      try {
        const { rows } = await db.query<Record<string, unknown>>(step.query);
        const count = Number(Object.values(rows[0] ?? {})[0]);
        if (count !== 0) failures.push(failure(`returned ${count} after the rehearsal and its traffic (expected 0)`));
      } catch (error) {
        if (GONE.has(sqlState(error) ?? '')) continue;
        failures.push(failure((error as Error).message));
      }
    }
  }
  return failures;
}
