import { PhasegateError } from '../errors.js';
import { compareIds, isPhase, unitName, type Migration, type Phase } from '../plan/index.js';
import type { UnitRecord } from '../state/index.js';
import type { StateSnapshot } from './gate-facts.js';

/** A migration the state store knows whose file is gone. */
export interface MissingMigration {
  readonly id: string;
  /** The phases its file declared when it last started, else those with records. */
  readonly phases: readonly Phase[];
  readonly records: readonly UnitRecord[];
  /** Every phase done, or everything that ran rolled back: `migrate forget` may drop it. */
  readonly finished: boolean;
}

/** Where the files on disk and the state store disagree. */
export interface FileDrift {
  readonly missing: readonly MissingMigration[];
  /** Ids of migrations never started whose id sorts before a migration with a phase done. */
  readonly outOfOrder: readonly string[];
}

/** Compares the migrations on disk with the ones the state store knows. */
export function fileDrift(migrations: readonly Migration[], state: StateSnapshot): FileDrift {
  const onDisk = new Set(migrations.map((m) => m.id));
  const recordedIds = new Set([...state.fingerprints.keys(), ...[...state.units.values()].map((u) => u.migrationId)]);
  const missing = [...recordedIds]
    .filter((id) => !onDisk.has(id))
    .sort(compareIds)
    .map((id) => missingMigration(id, state));
  const doneIds = [...state.units.values()].filter((u) => u.state === 'done').map((u) => u.migrationId);
  const newest = doneIds.sort(compareIds).at(-1);
  const outOfOrder = migrations
    .filter((m) => !recordedIds.has(m.id) && newest !== undefined && compareIds(m.id, newest) < 0)
    .map((m) => m.id);
  return { missing, outOfOrder };
}

/**
 * Refuses to run anything while a migration that is not finished has no file:
 * its remaining phases could neither run nor be skipped safely.
 */
export function assertNoUnfinishedMissing(drift: FileDrift): void {
  const unfinished = drift.missing.filter((m) => !m.finished);
  if (unfinished.length === 0) return;
  const lines = unfinished.map((m) => {
    const states = m.phases.map((p) => `${p} ${m.records.find((r) => r.phase === p)?.state ?? 'pending'}`);
    return `${m.id}: file missing, but the migration is not finished (${states.join(', ')})`;
  });
  throw new PhasegateError('MIGRATION_MISSING', lines.join('\n'), {
    hint:
      'restore the file from version control and let the migration finish (or `migrate rollback <id>` it); ' +
      'once it is done or rolled back, the file may go after `migrate forget <id>`',
  });
}

/** The error `advance --strict-order` refuses out-of-order migrations with. */
export function outOfOrderError(ids: readonly string[]): PhasegateError {
  return new PhasegateError('OUT_OF_ORDER', `${ids.join(', ')}: new, but ordered before migrations that are done`, {
    hint: 'give the file a newer id (rename it so it sorts after the done migrations), or run without --strict-order',
  });
}

function missingMigration(id: string, state: StateSnapshot): MissingMigration {
  const records = [...state.units.values()].filter((u) => u.migrationId === id);
  const declared = Object.keys(state.fingerprints.get(id)?.raw ?? {}).filter(isPhase);
  const phases = declared.length > 0 ? declared : records.map((r) => r.phase);
  const allDone = phases.every((p) => state.units.get(unitName({ migrationId: id, phase: p }))?.state === 'done');
  const allRolledBack = records.every((r) => r.state === 'rolledBack');
  return { id, phases, records, finished: allDone || allRolledBack };
}
