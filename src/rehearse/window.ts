import { phaseIndex, type Phase, type Step, type Unit } from '../plan/index.js';

/** From which boundary an app version must work: the start, or the end of a phase. */
export type WindowStart = 'start' | Phase;
/** Until which point: the beginning of a phase, or the end of the rehearsal. */
export type WindowEnd = Phase | 'end';

/** A point between two steps of the rehearsal, where app checks run. */
export interface Boundary {
  /** 0 is the start; k is right after the k-th rehearsed step. */
  readonly index: number;
  /** The step just finished (null at the start). */
  readonly after: { readonly migration: string; readonly phase: Phase; readonly step: number; readonly kind: Step['kind']; readonly sql: string } | null;
}

/** The boundaries of a rehearsal, in order, and where each step sits among them. */
export interface Timeline {
  readonly boundaries: readonly Boundary[];
  /** Boundary index after a unit's step, keyed "<id>:<phase>:<stepIndex>". */
  readonly indexOf: ReadonlyMap<string, number>;
  readonly units: readonly Unit[];
}

/** Lays out the boundaries of the units to rehearse, in the order `advance` runs them. */
export function buildTimeline(units: readonly Unit[]): Timeline {
  const boundaries: Boundary[] = [{ index: 0, after: null }];
  const indexOf = new Map<string, number>();
  for (const unit of units) {
    for (const [i, step] of unit.steps.entries()) {
      indexOf.set(`${unit.migrationId}:${unit.phase}:${i}`, boundaries.length);
      const sql = step.kind === 'sql' ? step.sql : step.kind === 'verify' ? step.query : `backfill ${step.spec.table} SET ${step.spec.set}`;
      boundaries.push({ index: boundaries.length, after: { migration: unit.migrationId, phase: unit.phase, step: i + 1, kind: step.kind, sql } });
    }
  }
  return { boundaries, indexOf, units };
}

/**
 * The inclusive range of boundaries at which an app version must work:
 * from the boundary where every unit of a phase up to `from` is done, until
 * the last boundary before a step of a phase from `until` on begins.
 */
export function windowRange(timeline: Timeline, from: WindowStart, until: WindowEnd): { readonly first: number; readonly last: number } {
  let first = 0;
  let last = timeline.boundaries.length - 1;
  for (const unit of timeline.units) {
    const lastStep = timeline.indexOf.get(`${unit.migrationId}:${unit.phase}:${unit.steps.length - 1}`);
    const firstStep = timeline.indexOf.get(`${unit.migrationId}:${unit.phase}:0`);
    if (from !== 'start' && phaseIndex(unit.phase) <= phaseIndex(from) && lastStep !== undefined) first = Math.max(first, lastStep);
    if (until !== 'end' && phaseIndex(unit.phase) >= phaseIndex(until) && firstStep !== undefined) last = Math.min(last, firstStep - 1);
  }
  return { first, last };
}
