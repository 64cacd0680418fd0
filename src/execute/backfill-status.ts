import { etaMs, throttledRate } from '../backfill/index.js';
import type { BackfillTuning, Migration } from '../plan/index.js';
import type { BackfillControl, BackfillRecord } from '../state/index.js';

/**
 * What a runner that stops a backfill between batches (signal, time budget)
 * leaves in its throttle column: `status` then shows it stopped, not running.
 */
export const STOPPED_BETWEEN_RUNS = 'stopped between runs; the next advance continues it';

/** A backfill as `status` shows it: progress, pace and why it waits. */
export interface BackfillStatus {
  readonly table: string;
  /** Rows the batches changed (those matching `where`). */
  readonly rowsDone: number;
  /** Keys walked; compare with `estimatedRows`. */
  readonly rowsScanned: number;
  readonly estimatedRows: number;
  readonly batches: number;
  readonly batchSize: number | null;
  readonly lastBatchMs: number | null;
  /** The last measured rate, never above the throttle (`maxRowsPerSecond`). */
  readonly rowsPerSecond: number | null;
  /** Time left at that rate; null when unknown, finished, or no runner is at it. */
  readonly etaMs: number | null;
  /** When a runner stopped it between batches (signal, time budget); null while one runs it or it is finished. */
  readonly stoppedSince: string | null;
  readonly pass: number;
  readonly paused: boolean;
  readonly pausedBy: string | null;
  /** Why the runner waits (a throttle or the pause), as it last said; null when it does not. */
  readonly throttle: string | null;
  readonly throttledSince: string | null;
  readonly updatedAt: string | null;
  readonly finishedAt: string | null;
}

/**
 * The backfill of each migration that declares one, by migration id, from
 * the state store's backfill records and pause flags: recorded progress, or
 * zeros before it starts. `tuning` is the config's backfill section, for
 * the throttle a spec does not set itself.
 */
export function backfillStatuses(
  recorded: readonly BackfillRecord[],
  controls: ReadonlyMap<string, BackfillControl>,
  migrations: readonly Migration[],
  tuning: BackfillTuning = {},
): Map<string, BackfillStatus> {
  const records = new Map(recorded.map((r) => [r.migrationId, r]));
  const result = new Map<string, BackfillStatus>();
  for (const migration of migrations) {
    const step = migration.units.flatMap((u) => u.steps).find((s) => s.kind === 'backfill');
    if (step?.kind !== 'backfill') continue;
    const r = records.get(migration.id);
    const control = controls.get(migration.id);
    const finished = r?.finishedAt !== null && r?.finishedAt !== undefined;
    const stopped = !finished && r?.throttle === STOPPED_BETWEEN_RUNS;
    // Spec beats config, as the engine resolves it; pacing keeps the real rate at or below it.
    const rate = throttledRate(r?.rowsPerSecond ?? null, step.spec.maxRowsPerSecond ?? tuning.maxRowsPerSecond);
    const eta = r === undefined ? null : etaMs(r.estimatedRows, r.rowsScanned, rate);
    result.set(migration.id, {
      table: step.spec.table,
      rowsDone: r?.rowsDone ?? 0,
      rowsScanned: r?.rowsScanned ?? 0,
      estimatedRows: r === undefined ? 0 : Math.max(r.estimatedRows, r.rowsScanned),
      batches: r?.batches ?? 0,
      batchSize: r?.batchSize ?? null,
      lastBatchMs: r?.lastBatchMs ?? null,
      rowsPerSecond: rate,
      etaMs: finished || stopped || eta === null ? null : Math.round(eta),
      stoppedSince: stopped ? (r?.throttledSince?.toISOString() ?? null) : null,
      pass: r?.pass ?? 1,
      paused: control?.paused === true,
      pausedBy: control?.paused === true ? control.changedBy : null,
      throttle: finished || stopped ? null : (r?.throttle ?? null),
      throttledSince: finished || stopped ? null : (r?.throttledSince?.toISOString() ?? null),
      updatedAt: r?.updatedAt.toISOString() ?? null,
      finishedAt: r?.finishedAt?.toISOString() ?? null,
    });
  }
  return result;
}
