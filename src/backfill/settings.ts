import type { BackfillSpec, BackfillTuning } from '../plan/index.js';

/** Every pacing and throttle setting of one backfill, resolved. Durations in ms. */
export interface BackfillSettings {
  readonly initialBatchSize: number;
  /** false when the spec fixes `batchSize` without bounds. */
  readonly adaptive: boolean;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  readonly targetBatchMs: number;
  /** undefined: no rate limit. */
  readonly maxRowsPerSecond: number | undefined;
  readonly sleepFraction: number;
  /** undefined: the throttle is off. */
  readonly maxReplicationLagMs: number | undefined;
  readonly maxTransactionAgeMs: number | undefined;
  readonly healthQuery: string | undefined;
  readonly throttleCheckIntervalMs: number;
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly maxBatchFailures: number;
  readonly verifyPasses: number;
}

/** What the engine uses when neither the config nor the spec says otherwise. */
const DEFAULT_BACKFILL_TUNING = {
  targetBatchDuration: 100,
  minBatchSize: 10,
  maxBatchSize: 100_000,
  sleepFraction: 0,
  maxReplicationLag: 10_000,
  maxTransactionAge: 3_600_000,
  throttleCheckInterval: 1_000,
  maxBatchFailures: 8,
  verifyPasses: 3,
} as const satisfies BackfillTuning;

/** What the runner knows besides the spec: the config's backfill section and its timeouts. */
export interface BackfillDefaults {
  /** The first batch's size. */
  readonly batchSize: number;
  readonly tuning: BackfillTuning;
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
}

/**
 * The one resolution of backfill settings, used by the engine and by the plan
 * report alike. Spec beats config beats the engine's defaults. A spec's `batchSize`
 * fixes the size (adaptive sizing off) unless the spec also sets bounds.
 */
export function resolveBackfillSettings(spec: BackfillSpec, defaults: BackfillDefaults): BackfillSettings {
  const pick = <K extends keyof BackfillTuning>(key: K): BackfillTuning[K] => spec[key] ?? defaults.tuning[key];
  const limit = (value: number | false | undefined, fallback: number): number | undefined =>
    value === false ? undefined : (value ?? fallback);
  const fixed = spec.batchSize;
  const maxBatchSize = spec.maxBatchSize ?? fixed ?? defaults.tuning.maxBatchSize ?? DEFAULT_BACKFILL_TUNING.maxBatchSize;
  const minBatchSize = Math.min(spec.minBatchSize ?? fixed ?? defaults.tuning.minBatchSize ?? DEFAULT_BACKFILL_TUNING.minBatchSize, maxBatchSize);
  return {
    initialBatchSize: Math.min(Math.max(fixed ?? defaults.batchSize, minBatchSize), maxBatchSize),
    adaptive: fixed === undefined || spec.minBatchSize !== undefined || spec.maxBatchSize !== undefined,
    minBatchSize,
    maxBatchSize,
    targetBatchMs: pick('targetBatchDuration') ?? DEFAULT_BACKFILL_TUNING.targetBatchDuration,
    maxRowsPerSecond: pick('maxRowsPerSecond'),
    sleepFraction: pick('sleepFraction') ?? DEFAULT_BACKFILL_TUNING.sleepFraction,
    maxReplicationLagMs: limit(pick('maxReplicationLag'), DEFAULT_BACKFILL_TUNING.maxReplicationLag),
    maxTransactionAgeMs: limit(pick('maxTransactionAge'), DEFAULT_BACKFILL_TUNING.maxTransactionAge),
    healthQuery: pick('healthQuery'),
    throttleCheckIntervalMs: pick('throttleCheckInterval') ?? DEFAULT_BACKFILL_TUNING.throttleCheckInterval,
    statementTimeoutMs: pick('statementTimeout') ?? defaults.statementTimeoutMs,
    lockTimeoutMs: Math.min(defaults.lockTimeoutMs, pick('statementTimeout') ?? defaults.statementTimeoutMs),
    maxBatchFailures: pick('maxBatchFailures') ?? DEFAULT_BACKFILL_TUNING.maxBatchFailures,
    verifyPasses: pick('verifyPasses') ?? DEFAULT_BACKFILL_TUNING.verifyPasses,
  };
}
