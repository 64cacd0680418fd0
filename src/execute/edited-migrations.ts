import { withSqlNormalizer } from '../analysis/index.js';
import { PhasegateError } from '../errors.js';
import {
  changedPhases,
  fingerprintUnits,
  legacyFingerprintUnit,
  unitName,
  type Migration,
  type Phase,
  type SqlNormalizer,
} from '../plan/index.js';
import { StateStore, type Queryable, type RecordedFingerprints } from '../state/index.js';
import type { StateSnapshot } from './gate-facts.js';
import { readState } from './read-state.js';

/** A migration whose file no longer matches what ran, in phases where that matters. */
export interface EditedMigration {
  readonly migration: Migration;
  readonly phases: readonly Phase[];
}

/**
 * Migrations edited after they started (invariant 4). A phase may still be
 * edited when it committed nothing (it failed or was rolled back before any
 * step committed), and a migration of which nothing is applied may change
 * as a whole. Parses SQL only for a migration whose raw hash differs, so an
 * unchanged tree costs no parser load.
 */
export async function findEditedMigrations(migrations: readonly Migration[], state: StateSnapshot): Promise<EditedMigration[]> {
  const changed = migrations.flatMap((migration) => {
    const recorded = state.fingerprints.get(migration.id);
    return recorded === undefined || changedPhases(recorded.raw, migration.fingerprints).length === 0 ? [] : [{ migration, recorded }];
  });
  if (changed.length === 0) return [];
  return withSqlNormalizer((normalize) =>
    changed.flatMap(({ migration, recorded }) => {
      const phases = meaningChanges(migration, recorded, normalize).filter((phase) => !isEditable(migration.id, phase, state));
      return phases.length > 0 ? [{ migration, phases }] : [];
    }),
  );
}

/**
 * For read-only checks (status, plan, lint): throws when a migration was
 * edited after it committed work, so a pull-request check fails before the
 * deploy does. Reads only; a database without phasegate state passes.
 * @throws PhasegateError (FINGERPRINT_MISMATCH, STATE_INVALID)
 */
export async function assertNotEdited(db: Queryable, schema: string, migrations: readonly Migration[]): Promise<void> {
  const edited = await findEditedMigrations(migrations, await readState(db, new StateStore(db, schema), schema));
  if (edited.length > 0) throw editedMigrationsError(edited);
}

/** The error advance throws, and status, plan and lint report, for edited migrations. */
export function editedMigrationsError(edited: readonly EditedMigration[]): PhasegateError {
  return new PhasegateError(
    'FINGERPRINT_MISMATCH',
    edited.map((e) => `${e.migration.file}: changed after it started (phases: ${e.phases.join(', ')})`).join('\n'),
    {
      hint:
        'a phase that committed work is immutable: restore the file and put the change in a new migration ' +
        '(or `migrate rollback <id>`, edit, `migrate reapply <id>` while its phases can still be rolled back)',
    },
  );
}

/**
 * Records the file as it is now for migrations whose raw hash differs but
 * that passed the check (a whitespace edit, a retuned knob, a state schema
 * from before parse-tree hashes), so later runs match without parsing.
 */
export async function restampFingerprints(store: StateStore, migrations: readonly Migration[], state: StateSnapshot): Promise<void> {
  for (const migration of migrations) {
    const recorded = state.fingerprints.get(migration.id);
    if (recorded !== undefined && changedPhases(recorded.raw, migration.fingerprints).length > 0) {
      await store.saveFingerprints(migration.id, await currentFingerprints(migration));
    }
  }
}

/** What to record when a migration's phase starts: both hashes of the file as it is now. */
export async function currentFingerprints(migration: Migration): Promise<RecordedFingerprints> {
  return { raw: migration.fingerprints, normalized: await withSqlNormalizer((normalize) => fingerprintUnits(migration.units, normalize)) };
}

function meaningChanges(migration: Migration, recorded: RecordedFingerprints, normalize: SqlNormalizer): Phase[] {
  if (recorded.normalized !== null) return changedPhases(recorded.normalized, fingerprintUnits(migration.units, normalize));
  // Recorded before parse-tree hashes were kept: only the old whole-definition hash can tell.
  const legacy = Object.fromEntries(migration.units.map((unit) => [unit.phase, legacyFingerprintUnit(unit)]));
  return changedPhases(recorded.raw, legacy);
}

function isEditable(migrationId: string, phase: Phase, state: StateSnapshot): boolean {
  const applied = [...state.units.values()].some(
    (u) => u.migrationId === migrationId && (u.state === 'done' || state.committed.has(unitName(u))),
  );
  if (!applied) return true;
  const record = state.units.get(unitName({ migrationId, phase }));
  return record !== undefined && record.state !== 'done' && !state.committed.has(unitName(record));
}
