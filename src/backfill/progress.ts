import type { Throttle } from './throttle.js';

/** What a backfill is doing at the moment of a progress report. */
export type BackfillActivity =
  | { readonly kind: 'running' }
  | { readonly kind: 'waiting'; readonly throttle: Throttle; readonly reason: string }
  | { readonly kind: 'verifying'; readonly query: string }
  | { readonly kind: 'done' };

/** Reported after every batch and whenever the activity changes. */
export interface BackfillProgress {
  readonly migrationId: string;
  readonly table: string;
  /** Rows the batches changed (those matching `where`). */
  readonly rowsDone: number;
  /** Keys walked so far; compare with `estimatedRows`. */
  readonly rowsScanned: number;
  readonly batches: number;
  /** The planner's row estimate for the table when the pass started, for the ETA. */
  readonly estimatedRows: number;
  /** The size of the next batch. */
  readonly batchSize: number;
  readonly lastBatchMs: number | null;
  /** Keys walked per second, smoothed over recent batches; throttled waits do not count. */
  readonly rowsPerSecond: number | null;
  readonly etaMs: number | null;
  /** 1, or more when verification sent the backfill over the table again. */
  readonly pass: number;
  readonly activity: BackfillActivity;
}

/** How much a new batch moves the smoothed rate: recent batches matter most, one odd batch little. */
const RATE_WEIGHT = 0.3;

/** Folds one interval's rate into the smoothed rate. */
export function smoothRate(previous: number | null, rows: number, elapsedMs: number): number | null {
  if (elapsedMs <= 0) return previous;
  const rate = (rows / elapsedMs) * 1000;
  return previous === null ? rate : previous + RATE_WEIGHT * (rate - previous);
}

/** The rate a backfill keeps: what it measured, never above its throttle (pacing holds it there). */
export function throttledRate(measured: number | null, maxRowsPerSecond: number | undefined): number | null {
  return measured === null || maxRowsPerSecond === undefined ? measured : Math.min(measured, maxRowsPerSecond);
}

/** Time left at the current rate; null while the rate is unknown. */
export function etaMs(estimatedRows: number, rowsScanned: number, rowsPerSecond: number | null): number | null {
  if (rowsPerSecond === null || rowsPerSecond <= 0) return null;
  return (Math.max(0, estimatedRows - rowsScanned) / rowsPerSecond) * 1000;
}
