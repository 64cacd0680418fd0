import type { GateFacts } from '../gates/index.js';
import type { Migration, Phase, Unit } from '../plan/index.js';
import type { ApprovalRecord, MarkerRecord, RecordedFingerprints, UnitRecord } from '../state/index.js';

/** A snapshot of the state store, read once per command. */
export interface StateSnapshot {
  readonly units: ReadonlyMap<string, UnitRecord>;
  readonly markers: readonly MarkerRecord[];
  readonly approvals: readonly ApprovalRecord[];
  /** Per-phase fingerprints of every migration that has started. */
  readonly fingerprints: ReadonlyMap<string, RecordedFingerprints>;
  /** Names ("<id>:<phase>") of the units with a step or backfill batch committed. */
  readonly committed: ReadonlySet<string>;
  readonly now: Date;
}

/** Turns the snapshot into the facts one unit's gate is judged on. */
export function gateFactsFor(migration: Migration, unit: Unit, state: StateSnapshot): GateFacts {
  const deployedVersions = new Map<string, string>();
  const markers = new Set<string>();
  for (const m of state.markers) {
    if (m.kind === 'marker' && m.name !== null) markers.add(m.name);
    if (m.kind === 'deploy' && m.app !== null && m.version !== null) deployedVersions.set(m.app, m.version);
  }
  const declared = migration.units.map((u) => u.phase);
  const previous: Phase | undefined = declared[declared.indexOf(unit.phase) - 1];
  const previousRecord = previous === undefined ? undefined : state.units.get(`${migration.id}:${previous}`);
  return {
    markers,
    deployedVersions,
    unit: { migrationId: unit.migrationId, phase: unit.phase },
    approved: state.approvals.some((a) => a.migrationId === unit.migrationId && a.phase === unit.phase),
    previousPhaseFinishedAt:
      previousRecord?.state === 'done' && previousRecord.finishedAt !== null ? previousRecord.finishedAt : undefined,
    now: state.now,
  };
}
