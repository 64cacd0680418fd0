import {
  installedVersion,
  readRunnerBeat,
  readStepStats,
  runnerBeatRead,
  STATE_SCHEMA_VERSION,
  StateStore,
  stepStatsRead,
  type BackfillControl,
  type BackfillRecord,
  type MarkerRecord,
  type Queryable,
  type RunnerBeat,
  type StepStats,
  type UnitRecord,
  type UnitState,
} from '../state/index.js';
import { compareIds, type BackfillTuning, type Migration, type Phase, type Unit } from '../plan/index.js';
import { backfillStatuses, type BackfillStatus } from './backfill-status.js';
import { findEditedMigrations } from './edited-migrations.js';
import { fileDrift } from './file-drift.js';
import type { StateSnapshot } from './gate-facts.js';
import { readState, stateSnapshotOf } from './read-state.js';
import { readRunnerStatus, type RunnerStatus } from './runner-lock.js';

export interface PhaseStatus {
  readonly phase: Phase;
  /** 'stopped': running in the state store, but its runner stopped the backfill between batches (signal, time budget). */
  readonly state: UnitState | 'pending' | 'stopped';
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
  /** A running phase whose runner stopped beating: its last beat. No ETA is given then. */
  readonly stalledSince: string | null;
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
  /** The session holding the runner lock now, null when none does. */
  readonly runner: RunnerStatus | null;
  readonly migrations: readonly MigrationStatus[];
}

/**
 * Every migration on disk or in state ("file missing") and the state of each
 * phase. Reads only. `backfillTuning` is the config's backfill section (its
 * throttle bounds the rate and ETA shown).
 */
export async function status(db: Queryable, schema: string, migrations: readonly Migration[], backfillTuning?: BackfillTuning): Promise<Status> {
  const { state, backfillRecords, backfillControls, steps, beat } = await readStatusFacts(db, schema);
  const backfills = backfillStatuses(backfillRecords, backfillControls, migrations, backfillTuning);
  const stepStats = new Map(steps.map((s) => [`${s.migrationId}:${s.phase}`, s]));
  const stalledSince = beat?.stalledSince?.toISOString() ?? null;
  const drift = fileDrift(migrations, state);
  const edited = new Map((await findEditedMigrations(migrations, state)).map((e) => [e.migration.id, e.phases]));
  const onDisk = migrations.map((m): MigrationStatus => ({
    id: m.id,
    description: m.description ?? null,
    fileMissing: false,
    outOfOrder: drift.outOfOrder.includes(m.id),
    edited: edited.get(m.id) ?? [],
    phases: m.units.map((u): PhaseStatus => {
      const record = state.units.get(`${m.id}:${u.phase}`);
      const stalled = record?.state === 'running' ? stalledSince : null;
      const backfill = backfillOf(u, backfills.get(m.id), stalled !== null);
      const facts = recordFacts(u.phase, record, stalled);
      return {
        ...facts,
        state: facts.state === 'running' && (backfill.backfill?.stoppedSince ?? null) !== null ? 'stopped' : facts.state,
        // A done unit ran every step; a verify step leaves no step record of its own.
        stepsDone: record?.state === 'done' ? u.steps.length : (stepStats.get(`${m.id}:${u.phase}`)?.stepsDone ?? 0),
        steps: u.steps.length,
        lockRetries: stepStats.get(`${m.id}:${u.phase}`)?.lockRetries ?? 0,
        ...backfill,
      };
    }),
  }));
  const missing = drift.missing.map((m): MigrationStatus => ({
    id: m.id,
    description: null,
    fileMissing: true,
    outOfOrder: false,
    edited: [],
    phases: m.phases.map((phase) => ({ ...recordFacts(phase, m.records.find((r) => r.phase === phase), null), stepsDone: 0, steps: 0, lockRetries: 0 })),
  }));
  return {
    runner: await readRunnerStatus(db, schema, beat),
    migrations: [...onDisk, ...missing].sort((a, b) => compareIds(a.id, b.id)),
  };
}

/** Everything `status` reads from the state store. */
interface StatusFacts {
  readonly state: StateSnapshot;
  readonly backfillRecords: readonly BackfillRecord[];
  readonly backfillControls: ReadonlyMap<string, BackfillControl>;
  readonly steps: readonly StepStats[];
  readonly beat: RunnerBeat | undefined;
}

/**
 * A current state schema has every table: the state and the rest are read
 * in one round trip after the version check. An older one (read-only
 * commands do not upgrade it) may lack the backfill or runner tables, so
 * each part then looks for its own.
 */
async function readStatusFacts(db: Queryable, schema: string): Promise<StatusFacts> {
  const store = new StateStore(db, schema);
  if ((await installedVersion(db, schema)) === STATE_SCHEMA_VERSION) {
    const { backfillRecords, backfillControls, steps, beat, ...state } = await store.snapshot({
      backfillRecords: store.backfills.recordsRead,
      backfillControls: store.backfills.controlsRead,
      steps: stepStatsRead(schema),
      beat: runnerBeatRead(schema),
    });
    return { state: stateSnapshotOf(state), backfillRecords, backfillControls, steps, beat };
  }
  return {
    state: await readState(db, store, schema),
    backfillRecords: await store.backfills.records(),
    backfillControls: await store.backfills.controls(),
    steps: await readStepStats(db, schema),
    beat: await readRunnerBeat(db, schema),
  };
}

function recordFacts(
  phase: Phase,
  record: UnitRecord | undefined,
  stalledSince: string | null,
): Omit<PhaseStatus, 'stepsDone' | 'steps' | 'lockRetries' | 'backfill'> {
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
    stalledSince,
  };
}

/** Markers and deploys, oldest first. Reads only. */
export async function listMarkers(db: Queryable, schema: string): Promise<readonly MarkerRecord[]> {
  // Only the markers: the full snapshot would also read units, approvals and fingerprints.
  return (await installedVersion(db, schema)) === 0 ? [] : new StateStore(db, schema).markers();
}

/** A stalled backfill keeps its last rate for the record, but an ETA would promise work nobody does. */
function backfillOf(unit: Unit, backfill: BackfillStatus | undefined, stalled: boolean): { backfill?: BackfillStatus } {
  if (backfill === undefined || !unit.steps.some((s) => s.kind === 'backfill')) return {};
  return { backfill: stalled ? { ...backfill, etaMs: null } : backfill };
}
