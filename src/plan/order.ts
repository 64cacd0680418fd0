import type { Migration, Unit } from './model.js';
import { phaseIndex } from './phases.js';

/**
 * All units of all migrations in the order `advance` runs them: by phase,
 * then by migration id, so a later migration never overtakes an earlier one
 * within a phase (docs/architecture.md, invariant 2).
 */
export function orderUnits(migrations: readonly Migration[]): Unit[] {
  return migrations
    .flatMap((m) => m.units)
    .sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase) || compareIds(a.migrationId, b.migrationId));
}

/** Migration ids order by plain string order (code units, not locale). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
