import { installedVersion, readStepStats, StateStore, type MarkerRecord, type Queryable, type UnitRecord, type UnitState } from '../state/index.js';
import { compareIds, type Migration, type Phase, type Unit } from '../plan/index.js';
import { readBackfillStatuses, type BackfillStatus } from './backfill-status.js';
import { findEditedMigrations } from './edited-migrations.js';
import { fileDrift } from './file-drift.js';
import { readState } from './read-state.js';

export interface PhaseStatus {
  readonly phase: Phase;
  readonly state: UnitState | 'pending';
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /** Finished minus started; null until the phase finishes. */
  readonly durationMs: number | null;
  /** Steps committed so far, of `steps`. */
  readonly stepsDone: number;
  readonly steps: number;
  /** Statement attempts beyond the first over the committed steps: each one waited out a lock timeout. */
  readonly lockRetries: number;
  /** Only on a phase with a backfill step: its progress, rate, ETA and throttle or pause. */
  readonly backfill?: BackfillStatus;
}

export interface MigrationStatus {
  readonly id: string;
  readonly description: string | null;
  readonly phases: readonly PhaseStatus[];
  /** Recorded in state, but its file is gone: phases are those recorded. */
  readonly fileMissing: boolean;
  /** Never started, yet ordered before migrations that are done. */
  readonly outOfOrder: boolean;
  /** Phases whose file changed after they committed work: advance refuses them. */
  readonly edited: readonly Phase[];
}

export interface Status {
  readonly migrations: readonly MigrationStatus[];
}

/** Every migration on disk or in state ("file missing") and the state of each phase. Reads only. */
export async function status(db: Queryable, schema: string, migrations: readonly Migration[]): Promise<Status> {
  const state = await readState(db, new StateStore(db, schema), schema);
  const backfills = await readBackfillStatuses(db, schema, migrations);
  const stepStats = new Map((await readStepStats(db, schema)).map((s) => [`${s.migrationId}:${s.phase}`, s]));
  const drift = fileDrift(migrations, state);
  const edited = new Map((await findEditedMigrations(migrations, state)).map((e) => [e.migration.id, e.phases]));
  const onDisk = migrations.map((m): MigrationStatus => ({
    id: m.id,
    description: m.description ?? null,
    fileMissing: false,
    outOfOrder: drift.outOfOrder.includes(m.id),
    edited: edited.get(m.id) ?? [],
    phases: m.units.map((u): PhaseStatus => ({
      ...recordFacts(u.phase, state.units.get(`${m.id}:${u.phase}`)),
      stepsDone: stepStats.get(`${m.id}:${u.phase}`)?.stepsDone ?? 0,
      steps: u.steps.length,
      lockRetries: stepStats.get(`${m.id}:${u.phase}`)?.lockRetries ?? 0,
      ...backfillOf(u, backfills.get(m.id)),
    })),
  }));
  const missing = drift.missing.map((m): MigrationStatus => ({
    id: m.id,
    description: null,
    fileMissing: true,
    outOfOrder: false,
    edited: [],
    phases: m.phases.map((phase) => ({ ...recordFacts(phase, m.records.find((r) => r.phase === phase)), stepsDone: 0, steps: 0, lockRetries: 0 })),
  }));
  return { migrations: [...onDisk, ...missing].sort((a, b) => compareIds(a.id, b.id)) };
}

function recordFacts(phase: Phase, record: UnitRecord | undefined): Omit<PhaseStatus, 'stepsDone' | 'steps' | 'lockRetries' | 'backfill'> {
  return {
    phase,
    state: record?.state ?? 'pending',
    startedAt: record?.startedAt?.toISOString() ?? null,
    finishedAt: record?.finishedAt?.toISOString() ?? null,
    attempts: record?.attempts ?? 0,
    lastError: record?.lastError ?? null,
    durationMs:
      record?.state === 'done' && record.startedAt !== null && record.finishedAt !== null
        ? record.finishedAt.getTime() - record.startedAt.getTime()
        : null,
  };
}

/** Markers and deploys, oldest first. Reads only. */
export async function listMarkers(db: Queryable, schema: string): Promise<readonly MarkerRecord[]> {
  // Only the markers: the full snapshot would also read units, approvals and fingerprints.
  return (await installedVersion(db, schema)) === 0 ? [] : new StateStore(db, schema).markers();
}

function backfillOf(unit: Unit, backfill: BackfillStatus | undefined): { backfill?: BackfillStatus } {
  return backfill !== undefined && unit.steps.some((s) => s.kind === 'backfill') ? { backfill } : {};
}
