/** Bounds of adaptive sizing. */
export interface SizeBounds {
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  readonly targetBatchMs: number;
}

/** One batch changes the size by at most this factor either way, so a noisy batch cannot swing it far. */
const MAX_STEP = 2;
/** Within this band around the target the size stays put, so it does not hunt. */
const DEAD_BAND = 0.15;

/**
 * The next batch's size from the last one's speed: aim for the target
 * duration, move at most ×2 or ÷2 per batch, stay within bounds. A short
 * batch (the end of the range) says how fast rows go but not that a bigger
 * batch fits, so it never grows the size.
 */
export function nextBatchSize(current: number, rowsScanned: number, batchMs: number, bounds: SizeBounds): number {
  const clamp = (size: number): number => Math.min(bounds.maxBatchSize, Math.max(bounds.minBatchSize, Math.round(size)));
  if (rowsScanned === 0) return clamp(current);
  const ideal = (rowsScanned / Math.max(batchMs, 0.1)) * bounds.targetBatchMs;
  const ratio = ideal / current;
  if (Math.abs(ratio - 1) <= DEAD_BAND) return clamp(current);
  if (ratio > 1 && rowsScanned < current) return clamp(current);
  return clamp(current * Math.min(MAX_STEP, Math.max(1 / MAX_STEP, ratio)));
}
