import { PhasegateError } from '../errors.js';
import { unitName, type Migration } from '../plan/index.js';
import type { StateSnapshot } from './gate-facts.js';

/**
 * Refuses state that contradicts itself: a unit recorded done with none of
 * its steps recorded. Its rows were edited or lost, and nothing can tell
 * which steps really ran, so nothing may run on top of it.
 */
export function assertStateConsistent(migrations: readonly Migration[], state: StateSnapshot, schema: string): void {
  const problems = migrations.flatMap((migration) =>
    migration.units.flatMap((unit) => {
      const name = unitName(unit);
      const recorded = unit.steps.some((s) => s.kind !== 'verify');
      return state.units.get(name)?.state === 'done' && recorded && !state.committed.has(name)
        ? [`${migration.id} ${unit.phase} is recorded done, but none of its steps are recorded`]
        : [];
    }),
  );
  if (problems.length === 0) return;
  throw new PhasegateError('STATE_INVALID', `the state in schema "${schema}" contradicts itself:\n${problems.join('\n')}`, {
    hint:
      `the ${schema}.steps rows were deleted: restore them from a backup, or, if the phase did run, ` +
      `insert one row per step (migration_id, phase, step_index from 0, duration_ms 0, attempts 1)`,
  });
}
