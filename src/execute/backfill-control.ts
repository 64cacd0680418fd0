import { PhasegateError } from '../errors.js';
import type { Migration } from '../plan/index.js';
import { ensureStateSchema, StateStore, type Queryable } from '../state/index.js';
import { checkName } from './record.js';

/**
 * Pauses or resumes a migration's backfill from any process: the flag lives
 * in the state store, and the runner reads it with each batch's checkpoint,
 * so it takes effect after the batch in flight. Pausing before the backfill
 * starts holds it before its first batch.
 */
export async function setBackfillPaused(
  db: Queryable,
  schema: string,
  migrations: readonly Migration[],
  migrationId: string,
  paused: boolean,
  by: string | null,
): Promise<void> {
  if (by !== null) checkName('--by', by);
  const migration = migrations.find((m) => m.id === migrationId);
  if (migration === undefined) {
    throw new PhasegateError('USAGE', `no migration ${migrationId}`, { hint: '`migrate status` lists migration ids' });
  }
  if (!migration.units.some((u) => u.steps.some((s) => s.kind === 'backfill'))) {
    throw new PhasegateError('USAGE', `${migrationId} has no backfill to ${paused ? 'pause' : 'resume'}`, {
      hint: 'pause and resume act on a backfill phase with a `backfill: { table, set }` step',
    });
  }
  await ensureStateSchema(db, schema);
  await new StateStore(db, schema).backfills.setPaused(migrationId, paused, by);
}
