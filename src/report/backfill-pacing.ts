import { formatDuration, type BackfillSpec, type BackfillTuning } from '../plan/index.js';

/** What the report needs to know about backfill defaults: the config's, over the engine's own. */
export interface BackfillPlanDefaults {
  /** The config's first batch size. */
  readonly batchSize: number;
  /** The config file's `backfill` section. */
  readonly tuning: BackfillTuning | undefined;
  /** The engine's defaults (`DEFAULT_BACKFILL_TUNING`), passed in by the caller. */
  readonly engine: BackfillTuning;
  /** The config's statement timeout, which batches use unless tuned. */
  readonly statementTimeoutMs: number;
}

/** How a backfill will pace itself, resolved as the engine resolves it (spec, then config, then engine). */
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

/** Resolves a backfill's pacing the way the engine does, for the report. */
export function backfillPacing(spec: BackfillSpec, defaults: BackfillPlanDefaults): BackfillPacing {
  const pick = <K extends keyof BackfillTuning>(key: K): BackfillTuning[K] => spec[key] ?? defaults.tuning?.[key] ?? defaults.engine[key];
  const fixed = spec.batchSize;
  const maxBatchSize = spec.maxBatchSize ?? fixed ?? pick('maxBatchSize') ?? 100_000;
  const minBatchSize = Math.min(spec.minBatchSize ?? fixed ?? pick('minBatchSize') ?? 10, maxBatchSize);
  const lag = pick('maxReplicationLag');
  const age = pick('maxTransactionAge');
  const rate = pick('maxRowsPerSecond');
  const sleep = pick('sleepFraction') ?? 0;
  const health = pick('healthQuery');
  const throttles = [
    ...(lag === false || lag === undefined ? [] : [`replication lag over ${formatDuration(lag)}`]),
    ...(age === false || age === undefined ? [] : [`a transaction open longer than ${formatDuration(age)}`]),
    ...(health === undefined ? [] : [`health query: ${health}`]),
    ...(rate === undefined ? [] : [`at most ${rate} rows/s`]),
    ...(sleep > 0 ? [`sleeps ${Math.round(sleep * 100)}% of each batch's time`] : []),
    'migrate pause',
  ];
  return {
    batchSize: Math.min(Math.max(fixed ?? defaults.batchSize, minBatchSize), maxBatchSize),
    adaptive: fixed === undefined || spec.minBatchSize !== undefined || spec.maxBatchSize !== undefined,
    minBatchSize,
    maxBatchSize,
    targetBatchMs: pick('targetBatchDuration') ?? 100,
    statementTimeoutMs: pick('statementTimeout') ?? defaults.statementTimeoutMs,
    throttles,
  };
}
