import semver from 'semver';
import { PhasegateError } from '../errors.js';
import type { Migration, Phase } from '../plan/index.js';
import { ensureStateSchema, StateStore, type Queryable } from '../state/index.js';

export type MarkerInput = { readonly kind: 'marker'; readonly name: string } | { readonly kind: 'deploy'; readonly app: string; readonly version: string };

/** Records what the CD pipeline deployed: a named marker or an app version. */
export async function recordMarker(db: Queryable, schema: string, marker: MarkerInput, recordedBy: string | null): Promise<void> {
  if (marker.kind === 'deploy' && semver.valid(marker.version) === null) {
    throw new PhasegateError('USAGE', `--version ${marker.version} is not a semver version`, { hint: 'use e.g. --version 2.4.0' });
  }
  await ensureStateSchema(db, schema);
  const store = new StateStore(db, schema);
  if (marker.kind === 'marker') await store.recordMarker(marker.name, recordedBy);
  else await store.recordDeploy(marker.app, marker.version, recordedBy);
}

/** Records that `by` approved one phase of one migration. */
export async function recordApproval(
  db: Queryable,
  schema: string,
  migrations: readonly Migration[],
  migrationId: string,
  phase: Phase,
  by: string,
): Promise<void> {
  const migration = migrations.find((m) => m.id === migrationId);
  if (migration === undefined) {
    throw new PhasegateError('USAGE', `no migration ${migrationId}`, { hint: '`migrate status` lists migration ids' });
  }
  if (!migration.units.some((u) => u.phase === phase)) {
    throw new PhasegateError('USAGE', `${migrationId} has no ${phase} phase`, {
      hint: `its phases are ${migration.units.map((u) => u.phase).join(', ')}`,
    });
  }
  await ensureStateSchema(db, schema);
  await new StateStore(db, schema).recordApproval(migrationId, phase, by);
}
