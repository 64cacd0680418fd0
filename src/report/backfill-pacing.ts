import { resolveBackfillSettings, type BackfillDefaults } from '../execute/index.js';
import { formatDuration, type BackfillSpec } from '../plan/index.js';

/** How a backfill will pace itself: the engine's own resolved settings, and each throttle for people. */
export interface BackfillPacing {
  readonly batchSize: number;
  /** false when the spec fixes `batchSize`. */
  readonly adaptive: boolean;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  readonly targetBatchMs: number;
  readonly statementTimeoutMs: number;
  /** Each throttle that can pause the batches, for people. */
  readonly throttles: readonly string[];
}

/** Resolves a backfill's pacing with the engine's resolveBackfillSettings, for the report. */
export function backfillPacing(spec: BackfillSpec, defaults: BackfillDefaults): BackfillPacing {
  const s = resolveBackfillSettings(spec, defaults);
  const throttles = [
    ...(s.maxReplicationLagMs === undefined ? [] : [`replication lag over ${formatDuration(s.maxReplicationLagMs)}`]),
    ...(s.maxTransactionAgeMs === undefined ? [] : [`a transaction open longer than ${formatDuration(s.maxTransactionAgeMs)}`]),
    ...(s.healthQuery === undefined ? [] : [`health query: ${s.healthQuery}`]),
    ...(s.maxRowsPerSecond === undefined ? [] : [`at most ${s.maxRowsPerSecond} rows/s`]),
    ...(s.sleepFraction > 0 ? [`sleeps ${Math.round(s.sleepFraction * 100)}% of each batch's time`] : []),
    'migrate pause',
  ];
  return {
    batchSize: s.initialBatchSize,
    adaptive: s.adaptive,
    minBatchSize: s.minBatchSize,
    maxBatchSize: s.maxBatchSize,
    targetBatchMs: s.targetBatchMs,
    statementTimeoutMs: s.statementTimeoutMs,
    throttles,
  };
}
